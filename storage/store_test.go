package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

func TestOpenMigratesAndReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub dir?#x.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var v int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion() || v < 1 {
		t.Fatalf("user_version = %d, want %d", v, SchemaVersion())
	}
	var mode string
	if err := s.r.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk, busy, sync int
	s.r.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk)
	s.r.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy)
	s.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync)
	if fk != 1 || busy != 10000 || sync != 1 {
		t.Fatalf("foreign_keys=%d busy_timeout=%d synchronous=%d; want 1, 10000, 1", fk, busy, sync)
	}
	syncTest(t, s, "c1")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopening applies nothing and keeps the data.
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	cs, err := s.Claims(ctx)
	if err != nil || len(cs) != 1 || cs[0].ID != "c1" {
		t.Fatalf("claims after reopen = %+v, %v", cs, err)
	}
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "future.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	future := SchemaVersion() + 5
	if _, err := s.w.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(future)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for name, open := range map[string]func(context.Context, string) (*Store, error){
		"Open":         func(ctx context.Context, p string) (*Store, error) { return Open(ctx, p) },
		"OpenReadOnly": OpenReadOnly,
	} {
		_, err = open(ctx, path)
		if !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("%s: err = %v, want ErrSchemaTooNew", name, err)
		}
		msg := err.Error()
		for _, want := range []string{path, "version " + strconv.Itoa(future), "version " + strconv.Itoa(SchemaVersion())} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: error %q does not mention %q", name, msg, want)
			}
		}
	}
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.db")
	if _, err := OpenReadOnly(ctx, path); err == nil {
		t.Fatal("OpenReadOnly of a missing file succeeded")
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	syncTest(t, s, "c1")
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	// A write after the reader opened is visible through the WAL.
	mustSave(t, s, article(1, t0), finding("c1", claims.Supports))
	rows, err := ro.ListEvidence(ctx, EvidenceFilter{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("read-only ListEvidence = %d rows, %v; want 1", len(rows), err)
	}
	if _, err := ro.SyncClaims(ctx, nil); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write on read-only store: err = %v, want ErrReadOnly", err)
	}
}

func TestSyncClaims(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a, b := testClaim("a", "1"), testClaim("b", "1")
	changed, err := s.SyncClaims(ctx, []claims.Claim{a, b})
	if err != nil || strings.Join(changed, ",") != "a,b" {
		t.Fatalf("first sync changed = %v, %v; want a,b", changed, err)
	}
	changed, err = s.SyncClaims(ctx, []claims.Claim{a, b})
	if err != nil || len(changed) != 0 {
		t.Fatalf("same sync changed = %v, %v; want none", changed, err)
	}
	b.Hash = "2"
	changed, err = s.SyncClaims(ctx, []claims.Claim{a, b})
	if err != nil || strings.Join(changed, ",") != "b" {
		t.Fatalf("hash change: changed = %v, %v; want b", changed, err)
	}
	// Dropping a claim from the files retires it and keeps its evidence.
	mustSave(t, s, article(1, t0), finding("a", claims.Supports))
	if _, err := s.SyncClaims(ctx, []claims.Claim{b}); err != nil {
		t.Fatal(err)
	}
	cs, _ := s.Claims(ctx)
	if len(cs) != 2 || !cs[0].Retired || cs[1].Retired {
		t.Fatalf("after dropping a: %+v; want a retired, b active", cs)
	}
	if cs[1].Definition.Hash != "2" || cs[1].Definition.Statement != b.Statement {
		t.Errorf("stored definition = %+v", cs[1].Definition)
	}
	ev, _ := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "a"})
	if len(ev) != 1 {
		t.Fatalf("evidence of retired claim: %d rows, want 1", len(ev))
	}
	// It comes back unchanged: not reported as changed, no longer retired.
	changed, _ = s.SyncClaims(ctx, []claims.Claim{a, b})
	cs, _ = s.Claims(ctx)
	if len(changed) != 0 || cs[0].Retired {
		t.Fatalf("re-added a: changed=%v retired=%v", changed, cs[0].Retired)
	}
	if _, err := s.SyncClaims(ctx, []claims.Claim{{Statement: "x", File: "f.yaml", Line: 3}}); err == nil || !strings.Contains(err.Error(), "f.yaml:3") {
		t.Fatalf("claim without id: err = %v, want one naming f.yaml:3", err)
	}
}

func TestSourcesAndPolls(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := Source{Name: "er", URL: "https://www.eurasiareview.com/feed/", Kind: "rss", Config: []byte(`{"every":"1h"}`), FromConfig: true, Enabled: true}
	if err := s.UpsertSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertSource(ctx, Source{Name: "cli", URL: "https://x.example/feed", Kind: "rss", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertSource(ctx, Source{Name: "bad", Config: []byte(`{`)}); err == nil || !strings.Contains(err.Error(), `"bad"`) {
		t.Fatalf("bad config: err = %v", err)
	}
	start := t0
	poll := func(p PollRecord) {
		t.Helper()
		if err := s.RecordPoll(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	poll(PollRecord{Source: "er", Started: start, Duration: 1500 * time.Millisecond, Status: 200, Outcome: OutcomeOK, ETag: `"e1"`, LastModified: "Mon", NewArticles: 3, NewEvidence: 1, Bytes: 1000})
	poll(PollRecord{Source: "er", Started: start.Add(time.Hour), Status: 500, Outcome: OutcomeFailed, Err: "server error", BackoffUntil: start.Add(3 * time.Hour)})
	poll(PollRecord{Source: "er", Started: start.Add(2 * time.Hour), Status: 503, Outcome: OutcomeFailed, Err: "unavailable", BackoffUntil: start.Add(5 * time.Hour)})
	st, err := s.SourceState(ctx, "er")
	if err != nil {
		t.Fatal(err)
	}
	if st.ErrorCount != 2 || st.LastError != "unavailable" || st.ETag != `"e1"` || !st.LastSuccess.Equal(start) ||
		!st.LastAttempt.Equal(start.Add(2*time.Hour)) || !st.BackoffUntil.Equal(start.Add(5*time.Hour)) || st.LastStatus != 503 {
		t.Fatalf("after failures: %+v", st)
	}
	poll(PollRecord{Source: "er", Started: start.Add(6 * time.Hour), Status: 304, Outcome: OutcomeNotModified, NextDue: start.Add(7 * time.Hour)})
	st, _ = s.SourceState(ctx, "er")
	if st.ErrorCount != 0 || st.LastError != "" || st.ETag != `"e1"` || st.LastModified != "Mon" || !st.BackoffUntil.IsZero() || !st.NextDue.Equal(start.Add(7*time.Hour)) {
		t.Fatalf("after not_modified: %+v", st)
	}
	// Re-upserting the definition keeps the state.
	src.URL = "https://www.eurasiareview.com/feed/atom/"
	if err := s.UpsertSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListSources(ctx)
	if err != nil || len(list) != 2 || list[1].Name != "er" || list[1].URL != src.URL || list[1].State.ETag != `"e1"` || string(list[1].Config) != `{"every":"1h"}` || !list[1].FromConfig || list[0].FromConfig {
		t.Fatalf("ListSources = %+v, %v", list, err)
	}
	log, err := s.FetchLog(ctx, "er", 10)
	if err != nil || len(log) != 4 || log[3].Outcome != OutcomeOK || log[3].Duration != 1500*time.Millisecond || log[3].NewArticles != 3 || log[3].Bytes != 1000 || log[0].Status != 304 {
		t.Fatalf("FetchLog = %+v, %v", log, err)
	}
	if err := s.RecordPoll(ctx, PollRecord{Source: "nope", Outcome: OutcomeOK}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("poll of unknown source: %v", err)
	}
	if err := s.RecordPoll(ctx, PollRecord{Source: "er", Outcome: "weird"}); err == nil || !strings.Contains(err.Error(), "weird") {
		t.Fatalf("unknown outcome: %v", err)
	}
	// Config sync removes only config sources no longer listed.
	removed, err := s.SyncConfigSources(ctx, nil)
	if err != nil || strings.Join(removed, ",") != "er" {
		t.Fatalf("SyncConfigSources removed %v, %v; want er", removed, err)
	}
	if err := s.RemoveSource(ctx, "cli"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveSource(ctx, "cli"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second remove: %v, want ErrNotFound", err)
	}
	if _, err := s.SourceState(ctx, "cli"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("state of removed source: %v", err)
	}
}

// A source fixed in the config (new URL or kind) leaves the backoff of its
// old failures behind; an unchanged definition keeps it.
func TestChangedURLOrKindClearsBackoff(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	src := Source{Name: "wire", URL: "https://wire.example/fed", Kind: "feed", FromConfig: true, Enabled: true}
	fail := func() {
		t.Helper()
		if err := s.UpsertSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			if err := s.RecordPoll(ctx, PollRecord{Source: "wire", Started: t0, Status: 404, Outcome: OutcomeFailed, Err: "not found", BackoffUntil: t0.Add(time.Duration(i) * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	state := func() SourceState {
		t.Helper()
		st, err := s.SourceState(ctx, "wire")
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	fail()
	if err := s.UpsertSource(ctx, src); err != nil { // unchanged: the backoff stays
		t.Fatal(err)
	}
	if st := state(); st.ErrorCount != 3 || st.BackoffUntil.IsZero() {
		t.Fatalf("unchanged source lost its backoff: %+v", st)
	}
	src.URL = "https://wire.example/feed"
	if err := s.UpsertSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if st := state(); st.ErrorCount != 0 || !st.BackoffUntil.IsZero() || st.LastError != "not found" {
		t.Fatalf("after the URL changed: %+v, want no error count or backoff (history kept)", st)
	}
	fail()
	src.Kind = "page"
	if err := s.UpsertSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if st := state(); st.ErrorCount != 0 || !st.BackoffUntil.IsZero() {
		t.Fatalf("after the kind changed: %+v", st)
	}
}
