package alert

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/nicholas-fedor/shoutrrr"
	"github.com/nicholas-fedor/shoutrrr/pkg/router"
	"github.com/nicholas-fedor/shoutrrr/pkg/types"

	"github.com/claimwatch/claimwatch/internal/config"
)

// notify sends to chat and push services through shoutrrr (the maintained
// fork), which knows each service's URL scheme and API.
type notify struct {
	router  *router.ServiceRouter
	secrets []string // parts of the URLs an error message must not show
}

func newNotify(n config.Notify, timeout time.Duration) (*notify, error) {
	urls := make([]string, len(n.URLs))
	for i, u := range n.URLs {
		urls[i] = u.Reveal()
	}
	r, err := shoutrrr.CreateSender(urls...)
	if err != nil {
		// shoutrrr's messages can quote the URL, which may hold a token.
		return nil, errors.New("notify: a URL is not one shoutrrr knows (check its scheme and form)")
	}
	r.Timeout = timeout
	return &notify{router: r, secrets: urlSecrets(urls)}, nil
}

// urlSecrets lists the parts of service URLs that may be credentials:
// the URLs themselves, user info, and long path segments and query values
// (tokens), longest first so that a part is redacted before its pieces.
func urlSecrets(urls []string) []string {
	var out []string
	for _, raw := range urls {
		out = append(out, raw)
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		if u.User != nil {
			out = append(out, u.User.String(), u.User.Username())
			if p, ok := u.User.Password(); ok {
				out = append(out, p)
			}
		}
		for _, seg := range strings.Split(u.Path, "/") {
			if len(seg) >= 6 {
				out = append(out, seg)
			}
		}
		for _, vs := range u.Query() {
			for _, v := range vs {
				if len(v) >= 6 {
					out = append(out, v)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func (n *notify) redact(msg string) string {
	for _, s := range n.secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return msg
}

func (n *notify) send(ctx context.Context, m message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	title := m.subject
	var failed []string
	for i, err := range n.router.Send(m.text, &types.Params{"title": title}) {
		if err != nil {
			failed = append(failed, fmt.Sprintf("service %d: %s", i+1, n.redact(err.Error())))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("notify: %s", strings.Join(failed, "; "))
	}
	return nil
}
