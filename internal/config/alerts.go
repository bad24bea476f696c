package config

import (
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/claimwatch/claimwatch/claims"
)

// Alert is one `alerts:` rule: which new evidence it wants and where it
// sends it. Exactly one of Webhook, Email and Notify is set.
type Alert struct {
	Name          string
	Claims        []string // claim ids or tags; empty: every claim
	Stances       []claims.Stance
	MinConfidence float64
	Mode          string        // AlertEach or AlertDigest
	Schedule      string        // cron spec of the digest
	Retries       int           // delivery attempts before an alert is marked failed
	Backoff       time.Duration // wait after the first failure, doubled after each
	Timeout       time.Duration // per delivery attempt

	Webhook *Webhook
	Email   *Email
	Notify  *Notify

	File string
	Line int
}

// Alert modes.
const (
	AlertEach   = "each"
	AlertDigest = "digest"
)

// Webhook is an HTTP POST of the alert's JSON body.
type Webhook struct {
	URL    Secret // may hold a token, so never logged
	Secret Secret // HMAC-SHA256 key of the signature header; empty: unsigned
}

// Email is SMTP delivery.
type Email struct {
	Host     string
	Port     int
	Security string // "starttls" (default), "tls" or "none"
	Username string
	Password Secret
	From     string
	To       []string
}

// Notify is delivery to chat and push services by URL (shoutrrr's schemes,
// such as slack://, telegram://, matrix://, ntfy://, discord://, generic://).
type Notify struct {
	URLs []Secret
}

// Secret is a value read from the config, the environment or a file that
// must never reach a log: it prints as [redacted].
type Secret string

func (Secret) String() string               { return "[redacted]" }
func (Secret) GoString() string             { return "[redacted]" }
func (Secret) LogValue() slog.Value         { return slog.StringValue("[redacted]") }
func (s Secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, "[redacted]") }

// Reveal returns the secret's value, for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

var (
	alertKeys   = []string{"name", "claims", "stances", "min_confidence", "mode", "schedule", "retries", "backoff", "timeout", "webhook", "email", "notify"}
	webhookKeys = []string{"url", "secret", "secret_file"}
	emailKeys   = []string{"host", "port", "security", "username", "password", "password_file", "from", "to"}
	notifyKeys  = []string{"urls"}
)

func (p *parser) alerts(n *yaml.Node) []Alert {
	if n.Kind != yaml.SequenceNode {
		p.at(n, "alerts must be a list, got %s", describe(n))
		return nil
	}
	out := make([]Alert, 0, len(n.Content))
	seen := map[string]bool{}
	for _, item := range n.Content {
		item = deref(item)
		f, ok := p.fields(item, "an alert", alertKeys, nil, "")
		if !ok {
			continue
		}
		a := Alert{Mode: AlertEach, Retries: 8, Backoff: 30 * time.Second, Timeout: 10 * time.Second,
			Stances: []claims.Stance{claims.Supports, claims.Contradicts}, File: p.file, Line: item.Line}
		set(f, "name", p.str, &a.Name)
		set(f, "claims", p.strings, &a.Claims)
		set(f, "min_confidence", p.float, &a.MinConfidence)
		set(f, "mode", p.str, &a.Mode)
		set(f, "schedule", p.str, &a.Schedule)
		set(f, "retries", p.integer, &a.Retries)
		set(f, "backoff", p.duration, &a.Backoff)
		set(f, "timeout", p.duration, &a.Timeout)
		switch {
		case a.Name == "":
			p.at(item, "an alert needs a name")
		case seen[strings.ToLower(a.Name)]:
			p.at(f["name"], "alert name %q repeated", a.Name)
		}
		seen[strings.ToLower(a.Name)] = true
		if v, ok := f["stances"]; ok {
			a.Stances = p.stances(v)
		}
		if v, ok := f["min_confidence"]; ok && (a.MinConfidence < 0 || a.MinConfidence > 1) {
			p.at(v, "alert %q: min_confidence must be between 0 and 1, got %v", a.Name, a.MinConfidence)
		}
		if v, ok := f["retries"]; ok && a.Retries < 1 {
			p.at(v, "alert %q: retries must be at least 1 (attempts in all), got %d", a.Name, a.Retries)
		}
		if v, ok := f["backoff"]; ok && a.Backoff <= 0 {
			p.at(v, "alert %q: backoff must be positive", a.Name)
		}
		if v, ok := f["timeout"]; ok && a.Timeout <= 0 {
			p.at(v, "alert %q: timeout must be positive", a.Name)
		}
		switch a.Mode {
		case AlertEach:
			if v, ok := f["schedule"]; ok {
				p.at(v, "alert %q: schedule is for mode: digest", a.Name)
			}
		case AlertDigest:
			if a.Schedule == "" {
				p.at(locateKey(f, "mode", item), "alert %q: mode: digest needs a schedule (a cron spec such as \"0 8 * * *\")", a.Name)
			} else if err := checkSchedule(a.Schedule, 0); err != nil {
				p.at(f["schedule"], "alert %q: schedule: %v", a.Name, err)
			}
		default:
			p.at(f["mode"], "alert %q: mode must be each or digest, got %q", a.Name, a.Mode)
		}
		dests := 0
		if v, ok := f["webhook"]; ok {
			dests++
			a.Webhook = p.webhook(v, a.Name)
		}
		if v, ok := f["email"]; ok {
			dests++
			a.Email = p.email(v, a.Name)
		}
		if v, ok := f["notify"]; ok {
			dests++
			a.Notify = p.notify(v, a.Name)
		}
		if dests != 1 {
			p.at(item, "alert %q needs exactly one destination: webhook, email or notify (found %d)", a.Name, dests)
		}
		out = append(out, a)
	}
	return out
}

func locateKey(f map[string]*yaml.Node, key string, def *yaml.Node) *yaml.Node {
	if n, ok := f[key]; ok {
		return n
	}
	return def
}

func (p *parser) stances(n *yaml.Node) []claims.Stance {
	list, ok := p.strings(n)
	if !ok {
		return nil
	}
	if len(list) == 0 {
		p.at(n, "stances must name at least one of supports, contradicts, mentions")
	}
	out := make([]claims.Stance, 0, len(list))
	for i, s := range list {
		st, err := claims.ParseStance(s, false)
		if err != nil {
			p.at(n.Content[i], "%v", err)
			continue
		}
		out = append(out, st)
	}
	return out
}

func (p *parser) webhook(n *yaml.Node, rule string) *Webhook {
	f, ok := p.fields(n, "webhook", webhookKeys, nil, "")
	if !ok {
		return nil
	}
	w := &Webhook{}
	if v, ok := f["url"]; ok {
		w.URL = p.secret(v)
		if u, err := url.Parse(w.URL.Reveal()); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.at(v, "alert %q: webhook url must be an http or https URL", rule)
		}
	} else {
		p.at(n, "alert %q: webhook needs a url", rule)
	}
	w.Secret = p.secretOrFile(f, "secret", "secret_file")
	return w
}

func (p *parser) email(n *yaml.Node, rule string) *Email {
	f, ok := p.fields(n, "email", emailKeys, nil, "")
	if !ok {
		return nil
	}
	e := &Email{Security: "starttls"}
	set(f, "host", p.str, &e.Host)
	set(f, "port", p.integer, &e.Port)
	set(f, "security", p.str, &e.Security)
	if v, ok := f["username"]; ok {
		e.Username = p.secret(v).Reveal()
	}
	set(f, "from", p.str, &e.From)
	set(f, "to", p.strings, &e.To)
	e.Password = p.secretOrFile(f, "password", "password_file")
	if e.Host == "" {
		p.at(n, "alert %q: email needs a host", rule)
	}
	switch e.Security {
	case "starttls", "none":
		if e.Port == 0 {
			e.Port = 587
		}
	case "tls":
		if e.Port == 0 {
			e.Port = 465
		}
	default:
		p.at(f["security"], "alert %q: email security must be starttls, tls or none, got %q", rule, e.Security)
	}
	if v, ok := f["port"]; ok && (e.Port < 1 || e.Port > 65535) {
		p.at(v, "alert %q: email port must be 1-65535", rule)
	}
	if _, err := mail.ParseAddress(e.From); err != nil {
		p.at(locateKey(f, "from", n), "alert %q: email from: want an address such as claimwatch@example.org, got %q", rule, e.From)
	}
	if len(e.To) == 0 {
		p.at(locateKey(f, "to", n), "alert %q: email needs at least one address in to", rule)
	}
	for i, to := range e.To {
		if _, err := mail.ParseAddress(to); err != nil {
			p.at(f["to"].Content[i], "alert %q: email to: not an address: %q", rule, to)
		}
	}
	return e
}

func (p *parser) notify(n *yaml.Node, rule string) *Notify {
	f, ok := p.fields(n, "notify", notifyKeys, nil, "")
	if !ok {
		return nil
	}
	out := &Notify{}
	v, ok := f["urls"]
	if !ok || v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		p.at(locateKey(f, "urls", n), "alert %q: notify needs urls, a list such as [\"ntfy://ntfy.sh/my-topic\"]", rule)
		return out
	}
	for _, item := range v.Content {
		s := p.secret(deref(item))
		if u, err := url.Parse(s.Reveal()); err != nil || u.Scheme == "" {
			p.at(item, "alert %q: notify url must be a service URL such as slack://... or ntfy://...", rule)
			continue
		}
		out.URLs = append(out.URLs, s)
	}
	return out
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// secret reads a string, replacing each ${NAME} with that environment
// variable; an unset variable is a problem at the value.
func (p *parser) secret(n *yaml.Node) Secret {
	s, ok := p.str(n)
	if !ok {
		return ""
	}
	var missing []string
	s = envRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := envRef.FindStringSubmatch(ref)[1]
		v, ok := os.LookupEnv(name)
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		p.at(n, "environment variable %s is not set", strings.Join(missing, ", "))
	}
	return Secret(s)
}

// secretOrFile reads key, or the contents of the file named by fileKey
// (trailing newline dropped); not both.
func (p *parser) secretOrFile(f map[string]*yaml.Node, key, fileKey string) Secret {
	v, inline := f[key]
	fv, fromFile := f[fileKey]
	switch {
	case inline && fromFile:
		p.at(fv, "give %s or %s, not both", key, fileKey)
	case inline:
		return p.secret(v)
	case fromFile:
		path, ok := p.path(fv)
		if !ok {
			return ""
		}
		data, err := os.ReadFile(path)
		if err != nil {
			p.at(fv, "%s: %v", fileKey, err)
			return ""
		}
		return Secret(strings.TrimRight(string(data), "\r\n"))
	}
	return ""
}
