package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/claimwatch/claimwatch/storage"
)

// Payload is one alert: the JSON body a webhook receives (type
// "evidence"), and what mails and chat messages say. The fields are
// documented in the README's Alerts section; add, never rename.
type Payload struct {
	Type           string    `json:"type"` // "evidence"
	Rule           string    `json:"rule"`
	IdempotencyKey string    `json:"idempotency_key"`
	Claim          string    `json:"claim"`
	Statement      string    `json:"statement"`
	Stance         string    `json:"stance"`
	Confidence     float64   `json:"confidence"`
	Snippet        string    `json:"snippet"`
	Title          string    `json:"title"`
	URL            string    `json:"url"`
	Outlet         string    `json:"outlet"`
	Published      time.Time `json:"published"`
	EvidenceID     int64     `json:"evidence_id"`
	StoryID        int64     `json:"story_id"`
}

func newPayload(rule, key string, e storage.EvidenceRow) Payload {
	return Payload{Type: "evidence", Rule: rule, IdempotencyKey: key, Claim: e.ClaimID, Statement: e.ClaimStatement,
		Stance: string(e.Stance), Confidence: e.Confidence, Snippet: e.Snippet, Title: e.Title, URL: e.URL,
		Outlet: e.Outlet, Published: e.PublishedAt.UTC(), EvidenceID: e.ID, StoryID: e.StoryID}
}

// Digest is the alerts of one rule gathered since its last digest: the
// JSON body of a webhook digest (type "digest") and the content of a
// digest mail.
type Digest struct {
	Type           string        `json:"type"` // "digest"
	Rule           string        `json:"rule"`
	IdempotencyKey string        `json:"idempotency_key"`
	Since          time.Time     `json:"since"` // when the oldest alert in it was queued
	Until          time.Time     `json:"until"`
	Total          int           `json:"total"`
	Claims         []DigestClaim `json:"claims"`
}

// DigestClaim is one claim's part of a digest.
type DigestClaim struct {
	Claim     string         `json:"claim"`
	Statement string         `json:"statement"`
	Counts    map[string]int `json:"counts"`   // by stance
	Evidence  []Payload      `json:"evidence"` // newest first
}

// newDigest groups payloads by claim (claims in id order), newest first
// within a claim, and counts them by stance. Its key is derived from the
// alerts' own keys, so a redelivered digest has the same one.
func newDigest(rule string, items []Payload, since, until time.Time) Digest {
	d := Digest{Type: "digest", Rule: rule, Since: since.UTC(), Until: until.UTC(), Total: len(items)}
	byClaim := map[string]*DigestClaim{}
	keys := make([]string, 0, len(items))
	for _, p := range items {
		keys = append(keys, p.IdempotencyKey)
		c := byClaim[p.Claim]
		if c == nil {
			c = &DigestClaim{Claim: p.Claim, Statement: p.Statement, Counts: map[string]int{}}
			byClaim[p.Claim] = c
		}
		c.Counts[p.Stance]++
		c.Evidence = append(c.Evidence, p)
	}
	for _, c := range byClaim {
		sort.SliceStable(c.Evidence, func(i, j int) bool {
			a, b := c.Evidence[i], c.Evidence[j]
			return a.Published.After(b.Published) || a.Published.Equal(b.Published) && a.EvidenceID > b.EvidenceID
		})
		d.Claims = append(d.Claims, *c)
	}
	sort.Slice(d.Claims, func(i, j int) bool { return d.Claims[i].Claim < d.Claims[j].Claim })
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(rule + "\x00" + strings.Join(keys, ",")))
	d.IdempotencyKey = hex.EncodeToString(sum[:16])
	return d
}

// subject is a one-line summary, for mail subjects and chat titles.
func (p Payload) subject() string {
	return fmt.Sprintf("[claimwatch] %s %s: %s", p.Claim, p.Stance, p.Title)
}

func (d Digest) subject() string {
	return fmt.Sprintf("[claimwatch] %s: %d new evidence for %d claim(s)", d.Rule, d.Total, len(d.Claims))
}

// stanceCounts renders counts as "2 supports, 1 contradicts", in a fixed order.
func stanceCounts(counts map[string]int) string {
	var parts []string
	for _, st := range []string{"supports", "contradicts", "mentions"} {
		if n := counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	return strings.Join(parts, ", ")
}
