package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// SearchOptions narrow a full-text search.
type SearchOptions struct {
	ClaimID string    // only articles with (non-stale) evidence for this claim
	Since   time.Time // only articles published at or after Since
	Until   time.Time // only articles published before Until
	Limit   int       // default 50
	// Timeout bounds the search's time (default DefaultSearchTimeout): a
	// query of many OR terms over a large index can otherwise run for minutes.
	Timeout time.Duration
}

// Bounds of a search query. They are far above what an analyst types and
// far below what makes FTS5 work for minutes.
const (
	MaxSearchQueryBytes  = 1000
	MaxSearchTerms       = 64
	DefaultSearchTimeout = 15 * time.Second
)

// ErrSearchTimeout: a search ran past its time bound.
var ErrSearchTimeout = errors.New("search took too long")

// SearchHit is one article found by Search.
type SearchHit struct {
	ArticleID   int64
	Title       string
	URL         string
	PublishedAt time.Time
	// Snippet is a few words around the match with matched terms in [ and ].
	Snippet string
}

// Search runs an FTS5 query (words, "phrases", AND/OR/NOT, prefix*) over
// article titles and texts, best matches first; a bare hyphenated name
// (Su-35) is searched as a phrase. A malformed query gives an error
// matching ErrBadQuery whose message is a plain sentence.
func (s *Store) Search(ctx context.Context, query string, o SearchOptions) ([]SearchHit, error) {
	ctx, cancel, err := boundSearch(ctx, query, o.Timeout)
	if err != nil {
		return nil, err
	}
	defer cancel()
	q := `SELECT a.id, a.title, a.url, a.published_at, snippet(articles_fts, -1, '[', ']', '…', 16)
		FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
		WHERE articles_fts MATCH ?`
	args := []any{quoteHyphenated(query)}
	if !o.Since.IsZero() {
		q, args = q+` AND a.published_at >= ?`, append(args, dbTime(o.Since))
	}
	if !o.Until.IsZero() {
		q, args = q+` AND a.published_at < ?`, append(args, dbTime(o.Until))
	}
	if o.ClaimID != "" {
		q += ` AND EXISTS (SELECT 1 FROM evidence e WHERE e.article_id = a.id AND e.claim_id = ? AND e.stale = 0)`
		args = append(args, o.ClaimID)
	}
	if o.Limit <= 0 {
		o.Limit = 50
	}
	q, args = q+` ORDER BY rank, a.id LIMIT ?`, append(args, o.Limit)
	out, err := s.search(ctx, q, args)
	if err != nil {
		return nil, searchFailed(ctx, query, err)
	}
	return out, nil
}

// hyphenated is a bare word with an inner hyphen, outside any quotes.
var hyphenated = regexp.MustCompile(`"[^"]*"|[^\s"()]+-[^\s"()]+`)

// quoteHyphenated quotes bare hyphenated words (Su-35, S-400): FTS5 syntax
// reads the hyphen as an operator, and an analyst means the name. Both
// the CLI's and the dashboard's searches go through it.
func quoteHyphenated(q string) string {
	return hyphenated.ReplaceAllStringFunc(q, func(m string) string {
		if strings.HasPrefix(m, `"`) {
			return m
		}
		return `"` + m + `"`
	})
}

// boundSearch checks a query against the bounds every search obeys (see
// checkQueryBounds) and gives the context that ends it after timeout
// (DefaultSearchTimeout when 0): the CLI's and the dashboard's searches
// alike, since a query of many OR terms can otherwise run for minutes.
func boundSearch(ctx context.Context, query string, timeout time.Duration) (context.Context, context.CancelFunc, error) {
	if err := checkQueryBounds(query); err != nil {
		return nil, nil, err
	}
	if timeout <= 0 {
		timeout = DefaultSearchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, cancel, nil
}

// searchFailed names why a bounded search failed: its time ran out (a
// sentence on narrowing it), or the query is bad.
func searchFailed(ctx context.Context, query string, err error) error {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("search %q: %w: narrow the query with fewer OR terms or prefixes, or add a claim or a date", query, ErrSearchTimeout)
	}
	return searchErr(query, err)
}

func (s *Store) search(ctx context.Context, q string, args []any) ([]SearchHit, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SearchHit
	for rows.Next() {
		var h SearchHit
		var pub sql.NullString
		if err := rows.Scan(&h.ArticleID, &h.Title, &h.URL, &pub, &h.Snippet); err != nil {
			return nil, err
		}
		h.PublishedAt = mustTime(pub)
		h.Snippet = wholeTokens(h.Snippet)
		out = append(out, h)
	}
	return out, rows.Err()
}

// wholeTokens widens each [highlight] of an FTS5 snippet to the whole word
// it sits in: the index splits "Su-35" and "Iran's" into tokens, so a match
// on "su" would read "[Su]-35". Letters, digits, hyphens and apostrophes
// joined to a bracket move inside it.
func wholeTokens(snip string) string {
	alnum := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }
	inner := func(r rune) bool { return r == '-' || r == '\'' || r == '’' }
	rs := []rune(snip)
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '[':
			// Move the opening bracket back over the word it cuts; a hyphen
			// or apostrophe only between two letters or digits.
			j := len(out)
			for j > 0 && (alnum(out[j-1]) || inner(out[j-1]) && j > 1 && alnum(out[j-2])) {
				j--
			}
			out = append(out[:j], append([]rune{'['}, out[j:]...)...)
		case r == ']':
			// Move the closing bracket forward over the rest of the word,
			// unless another highlight starts inside it.
			k := i + 1
			for k < len(rs) && (alnum(rs[k]) || inner(rs[k]) && k+1 < len(rs) && alnum(rs[k+1])) {
				k++
			}
			if k < len(rs) && rs[k] == '[' {
				k = i + 1
			}
			out = append(out, rs[i+1:k]...)
			out = append(out, ']')
			i = k - 1
		default:
			out = append(out, r)
		}
	}
	return string(out)
}

// checkQueryBounds refuses an empty query, one longer than
// MaxSearchQueryBytes, one of more than MaxSearchTerms words or phrases, and
// one with no word at all (a lone '*' or '^', which FTS5 rejects with an
// SQL error rather than a syntax error).
func checkQueryBounds(query string) error {
	if strings.TrimSpace(query) == "" {
		return badQuery(query, "the query is empty")
	}
	if len(query) > MaxSearchQueryBytes {
		return fmt.Errorf("search: %w: the query is %d bytes long; the most is %d", ErrBadQuery, len(query), MaxSearchQueryBytes)
	}
	terms, words := 0, 0
	for _, tok := range queryTokens(query) {
		switch tok {
		case "AND", "OR", "NOT", "NEAR":
			continue
		}
		terms++
		if strings.IndexFunc(tok, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			words++
		}
	}
	if terms > MaxSearchTerms {
		return fmt.Errorf("search: %w: the query has %d words or phrases; the most is %d (split it into several searches)", ErrBadQuery, terms, MaxSearchTerms)
	}
	if words == 0 {
		return badQuery(query, "it has no word to search for (a '*' only makes the word before it a prefix, as in deliver*)")
	}
	return nil
}

// queryTokens splits a query into "phrases" and the bare runs between
// spaces and parentheses; an unclosed quote runs to the end.
func queryTokens(query string) []string {
	var toks []string
	for i := 0; i < len(query); {
		switch c := query[i]; {
		case c == '"':
			end := strings.IndexByte(query[i+1:], '"')
			if end < 0 {
				return append(toks, query[i:])
			}
			toks = append(toks, query[i:i+end+2])
			i += end + 2
		case c == ' ' || c == '\t' || c == '\n' || c == '(' || c == ')':
			i++
		default:
			j := i
			for j < len(query) && !strings.ContainsRune(" \t\n()\"", rune(query[j])) {
				j++
			}
			toks = append(toks, query[i:j])
			i = j
		}
	}
	return toks
}

// searchErr turns FTS5's parse errors into ErrBadQuery; other errors are
// wrapped as they are.
func searchErr(query string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "fts5: syntax error"), strings.Contains(msg, "unterminated string"):
		return badQuery(query, "it is not valid search syntax: check for unbalanced quotes or parentheses, and for AND, OR, NOT or NEAR without a word on both sides (put such words in double quotes to search for them)")
	case strings.Contains(msg, "unknown special query"):
		return badQuery(query, "a '*' must follow a word (as in deliver*); on its own it is not a search")
	case strings.Contains(msg, "no such column"):
		return badQuery(query, `a word followed by ":" is read as a column name, and only title and text exist (put the word in double quotes to search for it)`)
	case strings.Contains(msg, "fts5:"):
		return badQuery(query, "the search engine could not read it ("+msg[strings.Index(msg, "fts5:"):]+")")
	}
	return fmt.Errorf("search %q: %w", query, err)
}

func badQuery(query, why string) error {
	return fmt.Errorf("search: %w %q: %s", ErrBadQuery, query, why)
}
