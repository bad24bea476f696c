package alert

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// smtpServer is a tiny SMTP receiver on loopback for tests: it speaks just
// enough of RFC 5321 (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET,
// NOOP, QUIT) for a real client, and keeps what it received. As a careful
// server does, it offers AUTH only once STARTTLS has encrypted the session.
type smtpServer struct {
	ln       net.Listener
	tls      *tls.Config
	implicit bool
	mu       sync.Mutex
	msgs     []smtpMessage
	auth     []string // "user:password" per successful AUTH
}

type smtpMessage struct {
	From string
	To   []string
	Data string
}

// startSMTP starts the server; with implicitTLS the whole session is TLS
// from the first byte (port 465 style) instead of upgraded by STARTTLS.
func startSMTP(t *testing.T, implicitTLS bool) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// Borrow httptest's certificate (valid for 127.0.0.1) and make the
	// client trust it.
	hs := httptest.NewUnstartedServer(nil)
	hs.StartTLS()
	cert := hs.TLS.Certificates[0]
	pool := x509.NewCertPool()
	pool.AddCert(hs.Certificate())
	hs.Close()
	clientTLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	t.Cleanup(func() { clientTLS = nil })
	s := &smtpServer{ln: ln, tls: &tls.Config{Certificates: []tls.Certificate{cert}}, implicit: implicitTLS}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) messages() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.msgs...)
}

func (s *smtpServer) auths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

func (s *smtpServer) serve(c net.Conn) {
	defer func() { c.Close() }()
	encrypted := false
	if s.implicit {
		c, encrypted = tls.Server(c, s.tls), true
	}
	r := bufio.NewReader(c)
	say := func(line string) { c.Write([]byte(line + "\r\n")) }
	say("220 test ESMTP")
	var cur smtpMessage
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			if encrypted {
				c.Write([]byte("250-test\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"))
			} else {
				c.Write([]byte("250-test\r\n250-STARTTLS\r\n250 8BITMIME\r\n"))
			}
		case "STARTTLS":
			say("220 go ahead")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, r, encrypted = tc, bufio.NewReader(tc), true
		case "AUTH":
			f := strings.Fields(line)
			if len(f) != 3 || strings.ToUpper(f[1]) != "PLAIN" {
				say("504 only AUTH PLAIN with an initial response")
				continue
			}
			raw, _ := base64.StdEncoding.DecodeString(f[2])
			parts := strings.Split(string(raw), "\x00")
			if len(parts) != 3 {
				say("501 bad PLAIN")
				continue
			}
			s.mu.Lock()
			s.auth = append(s.auth, parts[1]+":"+parts[2])
			s.mu.Unlock()
			say("235 ok")
		case "MAIL":
			cur = smtpMessage{From: line}
			say("250 ok")
		case "RCPT":
			cur.To = append(cur.To, line)
			say("250 ok")
		case "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.Data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			say("250 queued")
		case "RSET", "NOOP":
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}
