// Package alert tells analysts when a claim gets new evidence: it turns the
// config's `alerts:` rules into the store's alert route (which new evidence
// is recorded in the outbox, in the evidence's own transaction), and
// delivers the outbox to webhooks, email and chat or push services, one
// message per alert or as scheduled digests.
//
// Delivery is at least once: an alert is marked sent only after the
// receiver acknowledged it, so a crash in between sends it again, with the
// same idempotency key (in the webhook body and header, and as the mail's
// Message-ID) for the receiver to drop the copy. It never sends an alert
// after the acknowledgement was recorded. The package does not decide what
// is evidence (the matcher does) nor store anything itself (storage does).
package alert

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/storage"
)

// Rule is a configured alert rule, resolved against the loaded claims and
// ready to deliver.
type Rule struct {
	config.Alert
	claimIDs map[string]bool // nil: every claim
	stances  map[claims.Stance]bool
	schedule cron.Schedule // digests only
	loc      *time.Location
	dest     destination
}

var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// NewRules resolves the config's rules: claim ids and tags become the set of
// claims each rule wants (a name that is neither is an error at the rule's
// line), and each rule gets its sender. loc is the digests' time zone.
func NewRules(cfg []config.Alert, cs []claims.Claim, loc *time.Location) ([]*Rule, error) {
	if loc == nil {
		loc = time.UTC
	}
	var problems config.Problems
	out := make([]*Rule, 0, len(cfg))
	for _, a := range cfg {
		r := &Rule{Alert: a, stances: map[claims.Stance]bool{}, loc: loc}
		for _, st := range a.Stances {
			r.stances[st] = true
		}
		if len(a.Claims) > 0 {
			r.claimIDs = map[string]bool{}
			for _, name := range a.Claims {
				found := false
				for _, c := range cs {
					if c.ID == name || slices.Contains(c.Tags, name) {
						r.claimIDs[c.ID] = true
						found = true
					}
				}
				if !found {
					problems = append(problems, config.Problem{File: a.File, Line: a.Line, Column: 1,
						Msg: fmt.Sprintf("alert %q: claims: %q is neither a claim id nor a tag of a loaded claim", a.Name, name)})
				}
			}
		}
		if a.Mode == config.AlertDigest {
			s, err := specParser.Parse(a.Schedule)
			if err != nil {
				problems = append(problems, config.Problem{File: a.File, Line: a.Line, Column: 1,
					Msg: fmt.Sprintf("alert %q: schedule: %v", a.Name, err)})
			}
			r.schedule = s
		}
		d, err := newDestination(a)
		if err != nil {
			problems = append(problems, config.Problem{File: a.File, Line: a.Line, Column: 1,
				Msg: fmt.Sprintf("alert %q: %v", a.Name, err)})
		}
		r.dest = d
		out = append(out, r)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return out, nil
}

// Wants reports whether the rule alerts on evidence of this claim, stance
// and confidence.
func (r *Rule) Wants(claimID string, stance claims.Stance, confidence float64) bool {
	return (r.claimIDs == nil || r.claimIDs[claimID]) && r.stances[stance] && confidence >= r.MinConfidence
}

// notBefore is when an alert queued at now may go out: at once, or at the
// digest's next run.
func (r *Rule) notBefore(now time.Time) time.Time {
	if r.schedule == nil {
		return time.Time{}
	}
	return r.schedule.Next(now.In(r.loc))
}

// Route is the store's alert route for rules: each new evidence row is
// queued for every rule that wants it. now is the clock (time.Now if nil).
func Route(rules []*Rule, now func() time.Time) storage.AlertRoute {
	if len(rules) == 0 {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	return func(claimID string, stance claims.Stance, confidence float64) []storage.AlertTarget {
		var out []storage.AlertTarget
		for _, r := range rules {
			if r.Wants(claimID, stance, confidence) {
				out = append(out, storage.AlertTarget{Rule: r.Name, NotBefore: r.notBefore(now())})
			}
		}
		return out
	}
}

// Find returns the rule of that name (case-insensitive), or nil.
func Find(rules []*Rule, name string) *Rule {
	for _, r := range rules {
		if strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}
