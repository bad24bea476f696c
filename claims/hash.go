package claims

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// hashVersion is part of the hashed encoding: bump it when the encoding
// changes, knowing that every stored claim will then be seen as changed.
// v2: about rules, triggers and the factuality engine; evidence matched by v1
// rules is re-matched.
const hashVersion = "claimwatch-claim-v2"

// canonicalClaim is what Hash covers: everything that decides which evidence a
// claim finds and how it is judged. Id, source and tags are left out, since
// changing them does not make old evidence stale.
type canonicalClaim struct {
	Version   string     `json:"v"`
	Statement string     `json:"statement"`
	Made      string     `json:"made"`
	Horizon   string     `json:"horizon"`
	Groups    []Group    `json:"groups"`
	All       []string   `json:"all"`
	None      []string   `json:"none"`
	Scope     ScopeKind  `json:"scope"`
	Window    int        `json:"window"`
	Direction [][]string `json:"direction"`
	Require   bool       `json:"require_direction"`
	Trigger   []string   `json:"trigger"`
	About     *Rule      `json:"about"`
	Supports  []string   `json:"supports"`
	Contra    []string   `json:"contradicts"`
}

// hashClaim returns the sha256 (hex) of the claim's canonical JSON encoding.
// Nil and empty lists encode alike, and an unset scope counts as sentence, so
// writing a default out explicitly does not change the hash.
func hashClaim(c *Claim) string {
	cc := canonicalClaim{
		Version:   hashVersion,
		Statement: c.Statement,
		Made:      c.Made.Format(time.DateOnly),
		Groups:    c.Groups,
		All:       c.Rule.All,
		None:      c.Rule.None,
		Scope:     c.Rule.Scope,
		Window:    c.Rule.Window,
		Direction: c.Rule.Direction,
		Require:   c.Rule.RequireDirection,
		Trigger:   c.Rule.Trigger,
		About:     c.About,
		Supports:  c.Cues.Supports,
		Contra:    c.Cues.Contradicts,
	}
	if c.Horizon != nil {
		cc.Horizon = c.Horizon.Format(time.DateOnly)
	}
	if cc.Scope == "" {
		cc.Scope = ScopeSentence
	}
	for _, l := range []*[]string{&cc.All, &cc.None, &cc.Trigger, &cc.Supports, &cc.Contra} {
		if *l == nil {
			*l = []string{}
		}
	}
	if cc.Groups == nil {
		cc.Groups = []Group{}
	}
	if cc.Direction == nil {
		cc.Direction = [][]string{}
	}
	data, err := json.Marshal(cc)
	if err != nil {
		panic("claims: encoding a claim for hashing cannot fail: " + err.Error())
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
