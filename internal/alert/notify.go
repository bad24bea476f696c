package alert

import (
	"context"
	"errors"
	"fmt"
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
	router *router.ServiceRouter
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
	return &notify{router: r}, nil
}

func (n *notify) send(ctx context.Context, m message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	title := m.subject
	var failed []string
	for i, err := range n.router.Send(m.text, &types.Params{"title": title}) {
		if err != nil {
			failed = append(failed, fmt.Sprintf("service %d: %v", i+1, err))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("notify: %s", strings.Join(failed, "; "))
	}
	return nil
}
