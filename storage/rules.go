package storage

import (
	"fmt"
	"sort"
	"strings"

	"github.com/claimwatch/claimwatch/claims"
)

// Rules names the claim definitions findings were matched with.
type Rules struct {
	// Set is every claim's id and hash in id order ("id:hash,id:hash"), the
	// form qLiveRules gives for the live (not retired) claims.
	Set string
	// Claims maps each claim id to its claims.Claim.Hash.
	Claims map[string]string
}

// RulesOf returns the Rules of a compiled claim set.
func RulesOf(cs []claims.Claim) Rules {
	r := Rules{Claims: make(map[string]string, len(cs))}
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		r.Claims[c.ID] = c.Hash
		ids = append(ids, c.ID)
	}
	sort.Strings(ids)
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id + ":" + r.Claims[id])
	}
	r.Set = b.String()
	return r
}

const (
	qLiveRules = `SELECT COALESCE(group_concat(id || ':' || hash, ',' ORDER BY id), '') FROM claims WHERE retired = 0`
	// ON CONFLICT: an article already waiting stays queued once.
	qQueueRematch = `INSERT INTO rematch_queue (article_id) VALUES (?) ON CONFLICT DO NOTHING`
)

// queueIfOutdated queues a for matching again when its findings came from a
// claim set other than the live one: a poll that began before a reload and
// saved after it. Checked inside the write transaction, so a save is either
// before the reload stored the new claims (and their re-match covers it) or
// after (and it is queued).
func queueIfOutdated(w *stmtTx, a *Article) error {
	if a.MatchedWith.Set == "" {
		return nil
	}
	var live string
	if err := w.scanRow(qLiveRules, nil, &live); err != nil {
		return fmt.Errorf("read the live claim set: %w", err)
	}
	if live == a.MatchedWith.Set {
		return nil
	}
	if _, err := w.exec(qQueueRematch, a.ID); err != nil {
		return fmt.Errorf("queue article %d to be matched again: %w", a.ID, err)
	}
	return nil
}
