package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/claimwatch/claimwatch/internal/config"
)

// message is one delivery, rendered for every kind of destination.
type message struct {
	key     string // idempotency key
	subject string
	text    string
	html    string
	body    []byte // JSON, for webhooks
}

func newMessage(v any) (message, error) {
	var m message
	switch x := v.(type) {
	case Payload:
		m.key, m.subject = x.IdempotencyKey, x.subject()
	case Digest:
		m.key, m.subject = x.IdempotencyKey, x.subject()
	default:
		return m, fmt.Errorf("alert: cannot send %T", v)
	}
	var err error
	if m.text, m.html, err = render(v); err != nil {
		return m, fmt.Errorf("render alert: %w", err)
	}
	if m.body, err = json.Marshal(v); err != nil {
		return m, fmt.Errorf("encode alert: %w", err)
	}
	return m, nil
}

// destination delivers messages somewhere. send returns nil only once the
// receiver has accepted the message.
type destination interface {
	send(ctx context.Context, m message) error
}

func newDestination(a config.Alert) (destination, error) {
	switch {
	case a.Webhook != nil:
		return newWebhook(*a.Webhook, a.Timeout), nil
	case a.Email != nil:
		return &email{cfg: *a.Email, timeout: a.Timeout}, nil
	case a.Notify != nil:
		return newNotify(*a.Notify, a.Timeout)
	}
	return nil, errors.New("no destination")
}
