// Package claims is claimwatch's domain: what a claim (a written prediction)
// is, how its match rules and stance cues are written, and how claim files are
// loaded and validated. The shipped claim set is embedded (see embed.go).
//
// It imports nothing else of claimwatch's; storage, the matcher and the
// command line all build on the types here.
//
// A claim file is YAML holding one claim or a list of claims:
//
//	id: russia-arms-to-iran
//	statement: Russia will make large sales of military hardware to Iran.
//	made: 2020-01-10
//	horizon: 2025-12-31          # optional
//	source: {publisher: Eurasia Review, title: "...", url: "https://..."}
//	tags: [russia, iran, arms]
//	terms:                       # named term groups; each matches ANY of its terms
//	  russia:   [Russia, Russian*, Moscow, Kremlin, Россия, روسیه]
//	  iran:     [Iran, Iranian*, Tehran, Иран, ایران]
//	  hardware: [Su-35, S-400, "fighter jet*", helicopter*]
//	  transfer: [deliver*, sell*, sold, suppl*, ship*]
//	  receive:  [receiv*, "took delivery", acquir*, bought, buy*]
//	about:                        # optional: what makes a text relevant at all
//	  all: [russia, iran, hardware]   # a hit is evidence with stance mentions
//	event:                        # the predicted event ("match" is the older name)
//	  all: [russia, iran, hardware]   # every group named here must match
//	  none: [exclude]                 # optional: no group named here may match
//	  scope: sentence                 # "sentence" (default) or "window"
//	  window: 30                      # words, when scope is window
//	  direction:                      # optional ordered forms, any one may hold
//	    - [russia, transfer, iran]    #   "Russia ... delivers ... to Iran"
//	    - [iran, receive, russia]     #   "Iran ... receives ... from Russia"
//	  require_direction: true         # a sentence only counts when a direction holds
//	  trigger: [transfer, receive]    # the event word: its clause's factuality
//	                                  # (asserted, negated, unasserted) gives the stance
//	stance:                       # claim-specific cues, beside the factuality engine
//	  supports:    [delivered, "signed a contract", "took delivery"]
//	  contradicts: [cancel*, "refused to sell", halted]
//	examples:                     # the claim's own tests, run by claims check
//	  - {text: "Russia delivered S-400 systems to Iran.", expect: supports}
//	  - {text: "Iran sent Shahed drones to Russia.", expect: none}
//
// Terms are words or phrases matched on word boundaries, case- and
// accent-insensitively, in any script; a trailing "*" is a suffix wildcard.
package claims

import "time"

// Claim is one compiled-ready prediction, as loaded from a claim file.
type Claim struct {
	ID        string
	Statement string
	Made      time.Time  // date the prediction was made (UTC midnight)
	Horizon   *time.Time // date by which it should have come true; nil when open-ended
	Source    Source
	Tags      []string

	// Groups are the named term groups, in file order.
	Groups []Group
	// Rule is the event rule: the predicted event itself. A scope where it
	// holds gets its stance from the factuality of its trigger's clause.
	Rule Rule
	// About is the topic rule: a scope where it holds (and Rule does not)
	// is evidence with stance mentions. Nil when the claim has none.
	About *Rule
	Cues  Cues
	// Examples are texts with the result the claim must give for them.
	Examples []Example

	// File and Line say where the claim was defined, for messages.
	File string
	Line int
	// Hash is a stable hash of the definition (rules, cues, statement), so
	// storage can tell when a claim changed and its evidence needs re-matching.
	Hash string
}

// Source says where a prediction was published. Any field may be empty.
type Source struct {
	Publisher string
	Title     string
	URL       string
}

// Group is a named set of alternative terms; it matches when any term does.
type Group struct {
	Name  string
	Terms []string // as written: a word or phrase, optionally ending in "*"
}

// ScopeKind says over what span of text a rule is evaluated.
type ScopeKind string

const (
	ScopeSentence ScopeKind = "sentence"
	ScopeWindow   ScopeKind = "window"
)

// Rule is a claim's boolean match rule over its term groups.
type Rule struct {
	All  []string // group names; each must match within the scope
	None []string // group names; none may match within the scope
	// Scope is ScopeSentence by default; with ScopeWindow, Window is the span
	// in words within which All must be found.
	Scope  ScopeKind
	Window int
	// Direction lists ordered forms: each is a sequence of group names that
	// must occur in that order within the scope. Any one form holding
	// confirms the direction.
	Direction [][]string
	// RequireDirection drops scopes where no direction form holds.
	RequireDirection bool
	// Trigger names the groups whose words are the event word ("delivered",
	// "signed"): the factuality of the clause holding one decides the
	// stance. Empty: the stance comes from the cues alone.
	Trigger []string
}

// Example is a text and the result a claim must give for it.
type Example struct {
	Text   string
	Expect Stance // supports, contradicts, mentions, or None
	Line   int    // where the example is written, for messages
}

// Cues are stance cue terms (same term syntax as groups).
type Cues struct {
	Supports    []string
	Contradicts []string
}

// GroupByName returns the named group, or false.
func (c *Claim) GroupByName(name string) (Group, bool) {
	for _, g := range c.Groups {
		if g.Name == name {
			return g, true
		}
	}
	return Group{}, false
}
