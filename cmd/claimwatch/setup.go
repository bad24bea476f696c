package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/ingest"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/storage"
)

// config loads the config file (or the embedded defaults) once; its db and
// claims settings apply where no flag or environment variable was given.
// A bad file is bad input (exit 2).
func (a *app) config() (*config.Config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	cfg, err := loadConfig(a.configPath)
	if err != nil {
		return nil, err
	}
	if a.dbPath == "" {
		a.dbPath = cfg.DB
	}
	if a.claimsDir == "" {
		a.claimsDir = cfg.Claims
	}
	a.cfg = cfg
	return cfg, nil
}

func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return config.Default(), nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("config:\n%w", err)}
	}
	return cfg, nil
}

// fetcherFor builds the one shared HTTP client from the config.
func fetcherFor(cfg *config.Config) *fetch.Client {
	f := cfg.Fetch
	return fetch.New(fetch.Options{
		Version: versionString(), Contact: f.UserAgentContact,
		ConnectTimeout: f.ConnectTimeout, Timeout: f.Timeout, MaxBytes: f.MaxBytes,
		MaxRedirects: noneIfZero(f.MaxRedirects), PerHostConcurrency: f.PerHostConcurrency,
		PerHostDelay: noneIfZero(f.PerHostDelay), AllowPrivate: f.AllowPrivate, IgnoreRobots: !f.RespectRobots,
	})
}

// noneIfZero maps a config value written as 0 ("none": the config has
// already put its defaults in) to the fetcher's negative "none", since the
// fetcher reads 0 as "use the default".
func noneIfZero[T int | time.Duration](v T) T {
	if v == 0 {
		return -1
	}
	return v
}

// checkQueryClaims verifies that query sources name known claims; the config
// package cannot see the claim set.
func checkQueryClaims(cfg *config.Config, set []claims.Claim) error {
	known := map[string]bool{}
	for _, c := range set {
		known[c.ID] = true
	}
	var bad []string
	for _, s := range cfg.Sources {
		if s.Query == nil {
			continue
		}
		for _, id := range s.Query.Claims {
			if !known[id] {
				bad = append(bad, fmt.Sprintf("%s:%d: source %q watches unknown claim %q", s.File, s.Line, s.Name, id))
			}
		}
	}
	if len(bad) > 0 {
		return usagef("config:\n%s", strings.Join(bad, "\n"))
	}
	return nil
}

// syncClaims stores the claim definitions and brings stored evidence in
// line with them (see ingest.SyncClaims).
func (a *app) syncClaims(ctx context.Context, st *storage.Store, m *matcher.Matcher) error {
	return ingest.SyncClaims(ctx, st, m, a.log)
}

// sources returns the config file's sources merged with those added from
// the command line (the config file wins on a name clash), after storing the
// config's ones so `sources list` shows them with their state.
func (a *app) sources(ctx context.Context, cfg *config.Config, st *storage.Store) ([]config.Source, error) {
	if err := storeConfigSources(ctx, cfg, st); err != nil {
		return nil, err
	}
	return a.enabledSources(ctx, cfg, st)
}

// storeConfigSources writes the config file's sources into the store (the
// added ones are kept).
func storeConfigSources(ctx context.Context, cfg *config.Config, st *storage.Store) error {
	rows := make([]storage.Source, 0, len(cfg.Sources))
	for _, s := range cfg.Sources {
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		rows = append(rows, storage.Source{Name: s.Name, URL: s.URL, Kind: string(s.Kind), Config: raw, FromConfig: true, Enabled: s.Enabled})
	}
	if _, err := st.SyncConfigSources(ctx, rows); err != nil {
		return fmt.Errorf("storing config sources: %w", err)
	}
	return nil
}

// enabledSources merges the config file's sources with the added ones and
// returns the enabled; it writes nothing, so a reload can be refused after.
func (a *app) enabledSources(ctx context.Context, cfg *config.Config, st *storage.Store) ([]config.Source, error) {
	added, err := addedSources(ctx, st)
	if err != nil {
		return nil, err
	}
	for _, name := range config.Shadowed(cfg.Sources, added) {
		a.log.Warn("an added source has the name of a config-file source; the config file wins", "source", name)
	}
	var enabled []config.Source
	for _, s := range config.Merge(cfg.Sources, added) {
		if s.Enabled {
			enabled = append(enabled, s)
		}
	}
	return enabled, nil
}

// addedSources reads the sources added with `claimwatch sources add`.
func addedSources(ctx context.Context, st *storage.Store) ([]config.Source, error) {
	all, err := st.ListSources(ctx)
	if err != nil {
		return nil, err
	}
	var out []config.Source
	for _, s := range all {
		if s.FromConfig {
			continue
		}
		var src config.Source
		if err := json.Unmarshal(s.Config, &src); err != nil {
			return nil, fmt.Errorf("stored source %s: %w", s.Name, err)
		}
		src.Enabled = s.Enabled
		out = append(out, src)
	}
	return out, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
