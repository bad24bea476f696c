package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/storage"
)

// now is the dashboard's clock in these tests: a day after the newest item.
var now = time.Date(2020, 3, 1, 12, 0, 0, 0, time.UTC)

const armsClaim = "russia-arms-to-iran"

// hostileTitle is feed text carrying markup and script.
const hostileTitle = `<script>alert("x")</script><img src=x onerror=alert(1)> Russia ships S-400`

// fixture is a database holding the shipped claims and 60 articles with
// evidence for the arms claim (every third one contradicting), one of them
// titled with markup.
func fixture(t *testing.T) *storage.Store {
	t.Helper()
	ctx := context.Background()
	s, err := storage.Open(ctx, filepath.Join(t.TempDir(), "cw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	set, _, err := claims.LoadSet("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SyncClaims(ctx, set); err != nil {
		t.Fatal(err)
	}
	for _, src := range []storage.Source{{Name: "wire", URL: "http://wire.example/feed", Kind: "feed", Enabled: true},
		{Name: "broken", URL: "http://broken.example/feed", Kind: "feed", Enabled: true}} {
		if err := s.UpsertSource(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordPoll(ctx, storage.PollRecord{Source: "broken", Started: now.Add(-time.Hour), Outcome: storage.OutcomeFailed,
		Err: "GET http://broken.example/feed: 503 Service Unavailable", BackoffUntil: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		title := fmt.Sprintf("Russia delivers Su-35 batch %d to Iran", i)
		stance := claims.Supports
		snippet := fmt.Sprintf("Moscow delivered Su-35 fighter jets (batch %d) to Tehran on Monday.", i)
		if i%3 == 0 {
			stance = claims.Contradicts
			snippet = fmt.Sprintf("Russia halted Su-35 deliveries to Iran (batch %d), officials said.", i)
		}
		if i == 59 {
			title = hostileTitle
		}
		a := storage.Article{URL: fmt.Sprintf("http://wire.example/a/%d", i), Title: title, Text: "Intro. " + snippet + " More text.",
			Source: "wire", Outlet: fmt.Sprintf("outlet%d.example", i%4), PublishedAt: now.Add(-time.Duration(60-i) * 24 * time.Hour)}
		f := claims.Finding{ClaimID: armsClaim, Stance: stance, Confidence: 0.8, Snippet: snippet,
			MatchedTerms: []string{"Russia*", "Moscow", "Iran*", "Tehran", "Su-35*", "deliver*"}, Sentences: 1}
		if _, err := s.SaveArticle(ctx, a, []claims.Finding{f}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func newTestServer(t *testing.T, s *storage.Store, o Options) *httptest.Server {
	t.Helper()
	o.Store, o.Now = s, func() time.Time { return now }
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := noRedirect.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// post sends a same-origin form, as a browser does.
func post(t *testing.T, target string, form url.Values, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestBoardShowsEveryClaimWithCountsAndLatestHeadlines(t *testing.T) {
	ts := newTestServer(t, fixture(t), Options{})
	code, h, body := get(t, ts.URL+"/")
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
		t.Errorf("security headers %v", h)
	}
	for _, want := range []string{
		`href="/claims/russia-arms-to-iran"`, `href="/claims/eeu-iran-fta"`, // every claim
		`<dd class="supports">40</dd>`, `<dd class="contradicts">20</dd>`, // 60 items, every third contradicts
		"Latest contradicting:</span> 2020-02-27", "batch 57 to Iran", // newest contradicting (57) and supporting
		"2131 days left", // horizon 2025-12-31, seen from 2020-03-01
		`<svg class="spark"`, `<polyline points="`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("board lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Error("feed markup reached the page unescaped")
	}
	// Filters: a tag only the arms claim... and a verdict nobody has.
	_, _, body = get(t, ts.URL+"/?verdict=confirmed")
	if strings.Contains(body, `href="/claims/russia-arms-to-iran"`) || !strings.Contains(body, "No claims match") {
		t.Error("verdict filter kept an open claim")
	}
	_, _, body = get(t, ts.URL+"/?tag=arms")
	if !strings.Contains(body, `href="/claims/russia-arms-to-iran"`) || strings.Contains(body, `href="/claims/eeu-iran-fta"`) {
		t.Error("tag filter arms")
	}
	if code, _, _ := get(t, ts.URL+"/?verdict=bogus"); code != 400 {
		t.Errorf("bad verdict: %d", code)
	}
}

func TestFeedMarkupRendersAsInertText(t *testing.T) {
	ts := newTestServer(t, fixture(t), Options{})
	for _, path := range []string{"/", "/claims/" + armsClaim, "/search?q=S-400", "/articles/60"} {
		_, _, body := get(t, ts.URL+path)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: feed markup unescaped", path)
		}
		if path != "/search?q=S-400" && !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("%s: the hostile title is not shown as text", path)
		}
	}
	// Scripts come only from /static: no inline script anywhere.
	_, _, body := get(t, ts.URL+"/claims/"+armsClaim)
	for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
		if !strings.Contains(m, `src="/static/app.js"`) {
			t.Errorf("inline script %s", m)
		}
	}
}

func TestClaimPageFiltersAndPagesWithKeysets(t *testing.T) {
	ts := newTestServer(t, fixture(t), Options{})
	code, _, body := get(t, ts.URL+"/claims/"+armsClaim)
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{"Russia will make large sales of military hardware to Iran.",
		"In this order (required", "russia (Russia*", `<svg class="timeline"`, `<th scope="row">2020-02</th>`,
		`rel="noopener noreferrer"`, "<mark>Su-35</mark>", "<mark>Moscow</mark>", `action="/evidence/`, "No verdict yet."} {
		if !strings.Contains(body, want) {
			t.Errorf("claim page lacks %q", want)
		}
	}
	ids := regexp.MustCompile(`<li id="ev-(\d+)"`)
	first := ids.FindAllStringSubmatch(body, -1)
	if len(first) != pageSize || first[0][1] != "60" {
		t.Fatalf("first page: %d rows starting %v", len(first), first[0])
	}
	next := regexp.MustCompile(`href="\?([^"#]*)#evidence-h" rel="next"`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("no next page link")
	}
	q := strings.ReplaceAll(next[1], "&amp;", "&")
	_, _, body = get(t, ts.URL+"/claims/"+armsClaim+"?"+q)
	second := ids.FindAllStringSubmatch(body, -1)
	if len(second) != pageSize || second[0][1] != "35" {
		t.Fatalf("second page: %d rows starting %v", len(second), second)
	}
	// Stance filter and date range.
	_, _, body = get(t, ts.URL+"/claims/"+armsClaim+"?stance=contradicts&since=2020-02-20&until=2020-03-01")
	rows := ids.FindAllStringSubmatch(body, -1)
	if len(rows) != 3 { // batches 51, 54, 57 fall in [Feb 20, Mar 1)
		t.Errorf("contradicts in late February: %d rows", len(rows))
	}
	if code, _, body := get(t, ts.URL+"/claims/"+armsClaim+"?since=2020-13-01"); code != 400 || !strings.Contains(body, "want a date") {
		t.Errorf("bad date: %d", code)
	}
	if code, _, _ := get(t, ts.URL+"/claims/nope"); code != 404 {
		t.Errorf("unknown claim: %d", code)
	}
}

func TestReviewWithoutScriptRedirectsBackToTheRow(t *testing.T) {
	s := fixture(t)
	ts := newTestServer(t, s, Options{})
	ret := "/claims/" + armsClaim + "?stance=supports"
	resp, body := post(t, ts.URL+"/evidence/2/review", url.Values{"stance": {"irrelevant"}, "note": {"about Armenia"}, "return": {ret}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != ret+"#ev-2" {
		t.Fatalf("review: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	row, err := s.Evidence(context.Background(), 2)
	if err != nil || row.Stance != claims.Irrelevant || row.ReviewNote != "about Armenia" || row.ReviewAuthor != "web" {
		t.Fatalf("stored review %+v, %v", row, err)
	}
	// An off-site return is not followed.
	resp, _ = post(t, ts.URL+"/evidence/3/review", url.Values{"stance": {"supports"}, "return": {"//evil.example/x"}}, nil)
	if loc := resp.Header.Get("Location"); loc != "/claims/"+armsClaim+"#ev-3" {
		t.Errorf("off-site return followed: %q", loc)
	}
	// The in-page script gets JSON with the new counts.
	resp, body = post(t, ts.URL+"/evidence/5/review", url.Values{"stance": {"contradicts"}}, map[string]string{"Accept": "application/json"})
	var res reviewResult
	if err := json.Unmarshal([]byte(body), &res); err != nil || resp.StatusCode != 200 {
		t.Fatalf("JSON review: %d %s", resp.StatusCode, body)
	}
	// 40 supports - 1 irrelevant (2) - 1 now contradicting (5) = 38; 20 + 1 = 21.
	if res.Stance != "contradicts" || res.MachineStance != "supports" || res.Supports != 38 || res.Contradicts != 21 {
		t.Errorf("review result %+v", res)
	}
	for _, bad := range []url.Values{{"stance": {"maybe"}}, {"stance": {"supports"}, "note": {strings.Repeat("x", maxNote+1)}}} {
		if resp, _ := post(t, ts.URL+"/evidence/6/review", bad, nil); resp.StatusCode != 400 {
			t.Errorf("bad review %v: %d", bad, resp.StatusCode)
		}
	}
	if resp, _ := post(t, ts.URL+"/evidence/9999/review", url.Values{"stance": {"supports"}}, nil); resp.StatusCode != 404 {
		t.Errorf("unknown evidence: %d", resp.StatusCode)
	}
}

func TestVerdictFormRecordsHistory(t *testing.T) {
	ts := newTestServer(t, fixture(t), Options{})
	resp, body := post(t, ts.URL+"/claims/"+armsClaim+"/verdict", url.Values{"verdict": {"developing"}, "note": {"Su-35 deliveries reported"}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/claims/"+armsClaim+"#verdict" {
		t.Fatalf("verdict: %d %s", resp.StatusCode, body)
	}
	_, _, page := get(t, ts.URL+"/claims/"+armsClaim)
	if !strings.Contains(page, `<span class="badge verdict-developing">developing</span>`) || !strings.Contains(page, "<td>Su-35 deliveries reported</td>") {
		t.Error("verdict not shown with its history")
	}
	if resp, body := post(t, ts.URL+"/claims/"+armsClaim+"/verdict", url.Values{"verdict": {"confirmed"}}, nil); resp.StatusCode != 400 || !strings.Contains(body, "needs a note") {
		t.Errorf("verdict without a note: %d", resp.StatusCode)
	}
	if resp, _ := post(t, ts.URL+"/claims/nope/verdict", url.Values{"verdict": {"confirmed"}, "note": {"x"}}, nil); resp.StatusCode != 404 {
		t.Errorf("unknown claim: %d", resp.StatusCode)
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	s := fixture(t)
	ts := newTestServer(t, s, Options{})
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "", "Origin": "http://evil.example"}} {
		resp, _ := post(t, ts.URL+"/claims/"+armsClaim+"/verdict", url.Values{"verdict": {"refuted"}, "note": {"csrf"}}, h)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%v: status %d, want 403", h, resp.StatusCode)
		}
	}
	if v, _ := s.CurrentVerdict(context.Background(), armsClaim); v.Verdict != storage.VerdictOpen {
		t.Errorf("a cross-origin post set the verdict to %s", v.Verdict)
	}
}

func TestExposedWithoutSignInRefuses(t *testing.T) {
	ts := newTestServer(t, fixture(t), Options{Exposed: true})
	for _, path := range []string{"/", "/claims/" + armsClaim, "/static/app.css"} {
		if code, _, body := get(t, ts.URL+path); code != http.StatusForbidden || !strings.Contains(body, "no sign-in is configured") {
			t.Errorf("%s: %d %q", path, code, body)
		}
	}
}

func TestSignInWithPasswordOrTokenRecordsTheUser(t *testing.T) {
	s := fixture(t)
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, s, Options{Exposed: true, Auth: NewAuth(map[string]string{"alice": hash}, "s3cret-token")})
	if code, h, _ := get(t, ts.URL+"/"); code != 401 || !strings.Contains(h.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("anonymous: %d", code)
	}
	try := func(user, pass, token string) int {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		} else {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		user, pass, token string
		want              int
	}{{"alice", "correct horse", "", 200}, {"alice", "wrong", "", 401}, {"bob", "correct horse", "", 401},
		{"", "", "s3cret-token", 200}, {"", "", "guess", 401}, {"alice", "correct horse", "", 200}} {
		if got := try(c.user, c.pass, c.token); got != c.want {
			t.Errorf("%+v: %d", c, got)
		}
	}
	resp, _ := post(t, ts.URL+"/evidence/7/review", url.Values{"stance": {"mentions"}}, map[string]string{"Authorization": "Basic " + basic("alice", "correct horse")})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed-in review: %d", resp.StatusCode)
	}
	if row, _ := s.Evidence(context.Background(), 7); row.ReviewAuthor != "alice" {
		t.Errorf("review recorded as %q, want alice", row.ReviewAuthor)
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("a 5-character password hashed")
	}
}

func basic(user, pass string) string {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(user, pass)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

func TestDownloadsAreWhatThePageShows(t *testing.T) {
	ts := newTestServer(t, fixture(t), Options{})
	code, h, body := get(t, ts.URL+"/claims/"+armsClaim+"/evidence/csv?stance=contradicts&since=2020-02-20")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v", code, h)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][0] != "evidence_id" { // header + 51, 54, 57
		t.Fatalf("csv rows %d: %v", len(recs), err)
	}
	for _, r := range recs[1:] {
		if r[3] != "contradicts" {
			t.Errorf("row %v", r)
		}
	}
	_, _, body = get(t, ts.URL+"/board/json?tag=arms")
	var status []map[string]any
	if err := json.Unmarshal([]byte(body), &status); err != nil || len(status) != 1 || status[0]["supports"] != 40.0 {
		t.Errorf("board JSON %s: %v", body, err)
	}
	_, _, body = get(t, ts.URL+"/claims/"+armsClaim+"/timeline/csv?by=month")
	if !strings.Contains(body, armsClaim+",2020-02,") {
		t.Errorf("timeline csv %q", body)
	}
	if code, _, _ := get(t, ts.URL+"/board/xlsx"); code != 400 {
		t.Errorf("xlsx: %d", code)
	}
}

func TestArticleSearchAndSourcesPages(t *testing.T) {
	ts := newTestServer(t, fixture(t), Options{})
	code, _, body := get(t, ts.URL+"/articles/4")
	if code != 200 || !strings.Contains(body, `<mark class="sentence">Russia halted Su-35 deliveries to Iran (batch 3)`) ||
		!strings.Contains(body, `href="/claims/russia-arms-to-iran#ev-4"`) {
		t.Errorf("article page: %d", code)
	}
	if code, _, _ := get(t, ts.URL+"/articles/999"); code != 404 {
		t.Errorf("unknown article: %d", code)
	}
	code, _, body = get(t, ts.URL+"/search?q=halted")
	if code != 200 || !strings.Contains(body, "<mark>halted</mark>") || !strings.Contains(body, "20 articles") {
		t.Errorf("search: %d %s", code, body)
	}
	// A hyphenated name is searched as the name, as the CLI searches it.
	code, _, body = get(t, ts.URL+"/search?q=Su-35+halted")
	if code != 200 || !strings.Contains(body, "20 articles") {
		t.Errorf("search for Su-35: %d %s", code, body)
	}
	code, _, body = get(t, ts.URL+"/search?q=%22unbalanced")
	if code != 400 || !strings.Contains(body, `class="problem"`) || !strings.Contains(body, "not valid search syntax") {
		t.Errorf("bad query: %d", code)
	}
	code, _, body = get(t, ts.URL+"/sources")
	if code != 200 || strings.Index(body, "broken") > strings.Index(body, ">wire") || !strings.Contains(body, "503 Service Unavailable") {
		t.Errorf("sources: %d, failing source not first", code)
	}
}

func TestMarkTerms(t *testing.T) {
	got := markTerms("Iranian jets: IRAN bought Su-35s from Russia; Iranistan no.", []string{"Iran", "Su-35*", `"Russia"`})
	var marked []string
	for _, s := range got {
		if s.Mark {
			marked = append(marked, s.Text)
		}
	}
	if strings.Join(marked, "|") != "IRAN|Su-35s|Russia" {
		t.Errorf("marked %q", marked)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "[::1]:80": true, "localhost:1": true, "0.0.0.0:9090": false, ":9090": false, "10.0.0.1:80": false} {
		if IsLoopback(addr) != want {
			t.Errorf("IsLoopback(%q) = %v", addr, !want)
		}
	}
}

func TestCountsFollowOwnWritesAtOnceAndOthersWithinTheTTL(t *testing.T) {
	s := fixture(t)
	ts := newTestServer(t, s, Options{})
	_, _, body := get(t, ts.URL+"/")
	if !strings.Contains(body, `<dd class="supports">40</dd>`) {
		t.Fatal("board before any review")
	}
	// A review from elsewhere (the CLI) shows once the cached rows expire.
	if err := s.Review(context.Background(), 2, claims.Irrelevant, "", "cli"); err != nil {
		t.Fatal(err)
	}
	if _, _, body = get(t, ts.URL+"/"); !strings.Contains(body, `<dd class="supports">40</dd>`) {
		t.Error("cached counts not used within the TTL")
	}
	// A review through the dashboard invalidates them: both reviews show.
	post(t, ts.URL+"/evidence/3/review", url.Values{"stance": {"irrelevant"}}, nil)
	if _, _, body = get(t, ts.URL+"/"); !strings.Contains(body, `<dd class="supports">38</dd>`) {
		t.Error("the dashboard's own review did not show at once")
	}
}
