package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Auth says who may use the dashboard: users signing in with a password
// (HTTP Basic, checked against bcrypt hashes) and scripts with a bearer
// token. The zero value lets everyone in; Configured reports otherwise.
type Auth struct {
	Users map[string]string // user name → bcrypt hash
	Token string            // bearer token; "" for none

	// verified remembers credentials bcrypt has accepted (by their SHA-256),
	// so a signed-in analyst pays bcrypt's deliberate slowness once, not on
	// every page and asset.
	verified *sync.Map
}

// NewAuth builds an Auth from the configured users and token.
func NewAuth(users map[string]string, token string) Auth {
	return Auth{Users: users, Token: strings.TrimSpace(token), verified: &sync.Map{}}
}

// Configured reports whether anyone has to sign in.
func (a Auth) Configured() bool { return len(a.Users) > 0 || a.Token != "" }

// TokenUser is the author recorded for reviews and verdicts made with the
// bearer token.
const TokenUser = "token"

// authenticate returns the signed-in user ("" when sign-in is not
// configured) and whether the request may proceed.
func (a Auth) authenticate(r *http.Request) (string, bool) {
	if !a.Configured() {
		return "", true
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && a.Token != "" {
		if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(a.Token)) == 1 {
			return TokenUser, true
		}
		return "", false
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "", false
	}
	hash, known := a.Users[user]
	if !known {
		// Spend the same time as for a known user, so timing does not tell
		// which names exist.
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(pass))
		return "", false
	}
	key := sha256.Sum256([]byte(user + "\x00" + pass + "\x00" + hash))
	if a.verified != nil {
		if _, ok := a.verified.Load(key); ok {
			return user, true
		}
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(pass)) != nil {
		return "", false
	}
	if a.verified != nil {
		a.verified.Store(key, true)
	}
	return user, true
}

// dummyHash is made on first need, not at start-up: every command links
// this package, and a bcrypt hash costs tens of milliseconds.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("claimwatch"), bcrypt.DefaultCost)
	return h
})

// HashPassword returns the bcrypt hash to put under web.users.
func HashPassword(password string) (string, error) {
	if len(password) < 8 {
		return "", fmt.Errorf("the password is too short: use at least 8 characters")
	}
	if len(password) > 72 {
		return "", fmt.Errorf("the password is too long: bcrypt reads at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

type userKey struct{}

func withUser(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, userKey{}, user)
}

// userOf is who made the request: the signed-in user, or the server's
// default author on an open loopback dashboard.
func userOf(r *http.Request) string {
	u, _ := r.Context().Value(userKey{}).(string)
	return u
}
