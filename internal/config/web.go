package config

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Web is the dashboard's access control: who may sign in. On a loopback
// address the dashboard may run without it; on any other address it refuses
// to serve unless Users or a token is set.
//
//	web:
//	  users:                      # name: bcrypt hash (claimwatch web hash-password)
//	    alice: "$2a$10$..."
//	  token_file: /run/secrets/claimwatch-token   # a bearer token for scripts
//
// The token can also come from the environment (CLAIMWATCH_WEB_TOKEN), so a
// secret never has to be written into the file or an image.
type Web struct {
	Users     map[string]string // user name → bcrypt hash
	TokenFile string            // file holding a bearer token ("" for none)
}

// EnvWebToken names the environment variable holding a bearer token for the
// dashboard.
const EnvWebToken = "CLAIMWATCH_WEB_TOKEN"

var webKeys = []string{"users", "token_file"}

// web reads the web block.
func (p *parser) web(n *yaml.Node, c *Config) {
	f, ok := p.fields(n, "web", webKeys, nil, "")
	if !ok {
		return
	}
	set(f, "token_file", p.path, &c.Web.TokenFile)
	un, ok := f["users"]
	if !ok {
		return
	}
	if un.Kind != yaml.MappingNode {
		p.at(un, "web.users must be a mapping of user names to bcrypt hashes, got %s", describe(un))
		return
	}
	c.Web.Users = map[string]string{}
	for i := 0; i+1 < len(un.Content); i += 2 {
		k, v := un.Content[i], deref(un.Content[i+1])
		hash, ok := p.str(v)
		switch {
		case !ok:
		case k.Value == "" || strings.ContainsAny(k.Value, ": \t"):
			p.at(k, "web.users: user name %q must be non-empty, without spaces or colons", k.Value)
		case c.Web.Users[k.Value] != "":
			p.at(k, "web.users: user %q repeated", k.Value)
		case !strings.HasPrefix(hash, "$2") || len(hash) != 60:
			p.at(v, "web.users: %s: want a bcrypt hash (60 characters starting $2; print one with 'claimwatch web hash-password'), got %d characters", k.Value, len(hash))
		default:
			c.Web.Users[k.Value] = hash
		}
	}
}
