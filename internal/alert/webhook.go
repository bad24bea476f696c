package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/claimwatch/claimwatch/internal/config"
)

// Webhook request headers. The signature is "sha256=" and the hex HMAC-SHA256
// of the exact body under the rule's secret.
const (
	HeaderSignature      = "X-Claimwatch-Signature"
	HeaderIdempotencyKey = "Idempotency-Key"
)

type webhook struct {
	url     string
	secret  []byte
	timeout time.Duration
	client  *http.Client
}

func newWebhook(w config.Webhook, timeout time.Duration) *webhook {
	return &webhook{url: w.URL.Reveal(), secret: []byte(w.Secret.Reveal()), timeout: timeout, client: &http.Client{}}
}

// Sign returns the signature header value of body under secret, for
// receivers (and tests) to compare with hmac.Equal.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (w *webhook) send(ctx context.Context, m message) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(m.body))
	if err != nil {
		return errors.New("webhook: bad URL") // the URL may hold a token: never in messages
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "claimwatch-alerts")
	req.Header.Set(HeaderIdempotencyKey, m.key)
	if len(w.secret) > 0 {
		req.Header.Set(HeaderSignature, Sign(w.secret, m.body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL
		}
		return fmt.Errorf("webhook POST: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s: %q", resp.Status, bytes.TrimSpace(snippet))
	}
	return nil
}
