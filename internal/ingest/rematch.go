package ingest

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/storage"
)

// SyncClaims stores the claim definitions of m, as the daemon does at start
// and on every reload, and brings the stored evidence in line with them:
// every stored article is matched again with each claim that is new or
// changed (rows no longer matched are marked stale, reviews kept), then
// RematchOutdated catches what that cannot see (articles saved with an older
// claim set, evidence rows of older definitions).
func SyncClaims(ctx context.Context, st *storage.Store, m *matcher.Matcher, log *slog.Logger) error {
	changed, err := st.SyncClaims(ctx, m.Claims())
	if err != nil {
		return fmt.Errorf("storing claims: %w", err)
	}
	for _, id := range changed {
		single, err := matcher.Compile(claimsByID(m.Claims(), id))
		if err != nil {
			return err
		}
		res, err := st.Rematch(ctx, id, func(art storage.Article) (claims.Finding, bool) {
			fs := single.Match(matcher.Document{Title: art.Title, Body: art.Text})
			if len(fs) == 0 {
				return claims.Finding{}, false
			}
			return fs[0], true
		}, nil)
		if err != nil {
			return fmt.Errorf("re-matching claim %s: %w", id, err)
		}
		if res.Scanned > 0 {
			log.Info("claim changed: re-matched stored articles", "claim", id, "scanned", res.Scanned,
				"new", res.New, "updated", res.Updated, "stale", res.MarkedStale)
		}
	}
	return RematchOutdated(ctx, st, m, log)
}

// RematchOutdated matches again, with m (whose claims are stored), the
// articles a poll saved with another claim set and the evidence rows of
// other claim definitions (see storage.Store.RematchOutdated).
func RematchOutdated(ctx context.Context, st *storage.Store, m *matcher.Matcher, log *slog.Logger) error {
	res, err := st.RematchOutdated(ctx, storage.RulesOf(m.Claims()), func(a storage.Article) []claims.Finding {
		return m.Match(matcher.Document{Title: a.Title, Body: a.Text})
	}, nil)
	if err != nil {
		return err
	}
	if res.Scanned > 0 {
		log.Info("re-matched articles stored with older claim definitions", "scanned", res.Scanned,
			"new", res.New, "updated", res.Updated, "stale", res.MarkedStale)
	}
	return nil
}

func claimsByID(set []claims.Claim, id string) []claims.Claim {
	for _, c := range set {
		if c.ID == id {
			return []claims.Claim{c}
		}
	}
	return nil
}
