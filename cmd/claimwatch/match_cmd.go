package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/charset"
	"github.com/claimwatch/claimwatch/internal/extract"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/matcher"
)

// maxInputBytes bounds what match and extract read from a file or stdin.
const maxInputBytes = 10 << 20

func init() { register(matchCommand) }

func matchCommand(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "match [FILE|URL|-]",
		Short: "Match one text or HTML document against the claims and print the evidence",
		Long: `Match a text or HTML file, a URL, or standard input ("-", the default) against
the loaded claims. HTML is reduced to its main text first. Nothing is stored.

With --json, prints JSON Lines: one object per evidence item, with claim_id,
stance, confidence, reason (why the stance: the event word and its clause's
factuality, or the cue), snippet, matched_terms, sentences, in_title and
directed; nothing at all when nothing matches.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := a.matcher()
			if err != nil {
				return err
			}
			doc, err := a.loadDocument(cmd.Context(), args)
			if err != nil {
				return err
			}
			findings := m.Match(doc.Document)
			if asJSON {
				return writeFindingsJSON(a.stdout, findings)
			}
			return writeFindingsText(a.terminal(), doc.name, findings, m)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON Lines, one object per evidence item")
	return cmd
}

// loadedDocument is a document read for match or extract.
type loadedDocument struct {
	matcher.Document
	name string
	page *extract.Page // set when the input was HTML
}

// loadDocument reads the file or URL named by the one optional argument, or
// stdin ("-", the default), and reduces HTML to its text.
func (a *app) loadDocument(ctx context.Context, args []string) (*loadedDocument, error) {
	src := "-"
	if len(args) == 1 {
		src = args[0]
	}
	raw, contentType, pageURL, err := a.readInput(ctx, src)
	if err != nil {
		return nil, err
	}
	doc := &loadedDocument{name: src}
	if !looksLikeHTML(raw, contentType) {
		text := strings.ToValidUTF8(string(raw), "\uFFFD")
		doc.Body = text
		return doc, nil
	}
	utf8Body, _, err := charset.DecodeHTML(raw, contentType)
	if err != nil {
		return nil, usagef("%s: decoding: %w", src, err)
	}
	page, err := extract.Extract(ctx, bytes.NewReader(utf8Body), pageURL)
	if err != nil {
		return nil, usagef("%s: %w", src, err)
	}
	if strings.TrimSpace(page.Text) == "" {
		if page.Text, err = extract.Text(bytes.NewReader(utf8Body)); err != nil {
			return nil, usagef("%s: %w", src, err)
		}
	}
	doc.page = page
	doc.Title = page.Title
	doc.Body = page.Text
	return doc, nil
}

// readInput returns the bytes of a file, URL or stdin, bounded in size.
func (a *app) readInput(ctx context.Context, src string) (body []byte, contentType, pageURL string, err error) {
	switch {
	case src == "-":
		body, err = readBounded(a.stdin, "standard input")
		return body, "", "", err
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		cfg, err := a.config()
		if err != nil {
			return nil, "", "", err
		}
		// A URL typed by the operator is named: its host may be private.
		resp, err := fetcherFor(cfg).Get(ctx, fetch.Request{URL: src, Named: true})
		if err != nil {
			return nil, "", "", err
		}
		return resp.Body, resp.ContentType, resp.URL, nil
	default:
		f, err := os.Open(src)
		if err != nil {
			return nil, "", "", usageError{err}
		}
		defer f.Close()
		body, err = readBounded(f, src)
		return body, "", "", err
	}
}

func readBounded(r io.Reader, name string) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(body) > maxInputBytes {
		return nil, usagef("%s: larger than %d MiB", name, maxInputBytes>>20)
	}
	return body, nil
}

func looksLikeHTML(body []byte, contentType string) bool {
	if strings.Contains(contentType, "html") {
		return true
	}
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 1024)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")) ||
		strings.HasPrefix(http.DetectContentType(body), "text/html")
}

// findingJSON is the JSON Lines shape of `match --json`.
type findingJSON struct {
	ClaimID      string   `json:"claim_id"`
	Stance       string   `json:"stance"`
	Confidence   float64  `json:"confidence"`
	Reason       string   `json:"reason"`
	Snippet      string   `json:"snippet"`
	MatchedTerms []string `json:"matched_terms"`
	Sentences    int      `json:"sentences"`
	InTitle      bool     `json:"in_title"`
	Directed     bool     `json:"directed"`
}

func writeFindingsJSON(w io.Writer, findings []claims.Finding) error {
	enc := json.NewEncoder(w)
	for _, f := range findings {
		if err := enc.Encode(findingJSON{
			ClaimID: f.ClaimID, Stance: string(f.Stance), Confidence: round2(f.Confidence), Reason: f.Reason,
			Snippet: f.Snippet, MatchedTerms: f.MatchedTerms, Sentences: f.Sentences,
			InTitle: f.InTitle, Directed: f.Directed,
		}); err != nil {
			return err
		}
	}
	return nil
}

func writeFindingsText(w io.Writer, name string, findings []claims.Finding, m *matcher.Matcher) error {
	if len(findings) == 0 {
		_, err := fmt.Fprintf(w, "%s: no evidence for any of %d claims\n", name, len(m.Claims()))
		return err
	}
	for _, f := range findings {
		fmt.Fprintf(w, "%s  %s  (confidence %.2f, %d sentence(s); %s)\n", f.ClaimID, f.Stance, f.Confidence, f.Sentences, f.Reason)
		fmt.Fprintf(w, "  %q\n  terms: %s\n\n", f.Snippet, strings.Join(f.MatchedTerms, ", "))
	}
	return nil
}

func round2(x float64) float64 { return float64(int(x*100+0.5)) / 100 }
