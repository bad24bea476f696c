package alert

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/claimwatch/claimwatch/internal/config"
)

// clientTLS, when set (by tests), is the TLS configuration of SMTP
// connections; nil means go-mail's default (system roots, the host's name).
var clientTLS *tls.Config

type email struct {
	cfg     config.Email
	timeout time.Duration
}

func (e *email) send(ctx context.Context, m message) error {
	msg := mail.NewMsg()
	if err := msg.From(e.cfg.From); err != nil {
		return fmt.Errorf("email from: %w", err)
	}
	if err := msg.To(e.cfg.To...); err != nil {
		return fmt.Errorf("email to: %w", err)
	}
	msg.Subject(m.subject)
	// The idempotency key as Message-ID lets a mail system drop a redelivery.
	msg.SetMessageIDWithValue(m.key + "@claimwatch")
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.text)
	msg.AddAlternativeString(mail.TypeTextHTML, m.html)

	opts := []mail.Option{mail.WithPort(e.cfg.Port), mail.WithTimeout(e.timeout)}
	switch e.cfg.Security {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if clientTLS != nil {
		opts = append(opts, mail.WithTLSConfig(clientTLS))
	}
	if e.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(e.cfg.Username), mail.WithPassword(e.cfg.Password.Reveal()))
	}
	c, err := mail.NewClient(e.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("email client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("email via %s:%d: %w", e.cfg.Host, e.cfg.Port, err)
	}
	return nil
}
