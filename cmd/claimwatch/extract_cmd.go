package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/internal/report"
)

func init() { register(extractCommand) }

func extractCommand(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "extract [FILE|URL|-]",
		Short: "Show what the pipeline sees of one page: canonical URL, title, date, language, main text",
		Long: `Read an HTML page from a file, a URL, or standard input ("-", the default) and
print what claimwatch would store of it: canonical URL, title, published time
(UTC), language if known, and the main text. Nothing is stored.

With --json, print one object with url, title, published, lang and text, and
claimed_canonical (a canonical link to another site, refused: the page keeps
its own URL) and published_note (why the date cannot be fully trusted) when
there are any.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := a.loadDocument(cmd.Context(), args)
			if err != nil {
				return err
			}
			out := extractJSON{Title: doc.Title, Text: doc.Body}
			if p := doc.page; p != nil {
				out.URL, out.Lang, out.ClaimedCanonical = p.URL, p.Lang, p.ClaimedCanonical
				out.Published, out.PublishedNote = report.Stamp(p.Published), p.PublishedNote
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				return enc.Encode(out)
			}
			w := a.terminal()
			fmt.Fprintf(w, "url:       %s\n", orDash(out.URL))
			if out.ClaimedCanonical != "" {
				fmt.Fprintf(w, "refused:   canonical link to another site, %s\n", out.ClaimedCanonical)
			}
			fmt.Fprintf(w, "title:     %s\npublished: %s\n", orDash(out.Title), orDash(out.Published))
			if out.PublishedNote != "" {
				fmt.Fprintf(w, "           (%s)\n", out.PublishedNote)
			}
			fmt.Fprintf(w, "language:  %s\n\n%s\n", orDash(out.Lang), out.Text)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

type extractJSON struct {
	URL string `json:"url"`
	// ClaimedCanonical is a canonical link to another site, refused.
	ClaimedCanonical string `json:"claimed_canonical,omitempty"`
	Title            string `json:"title"`
	Published        string `json:"published"`
	// PublishedNote says why Published cannot be fully trusted.
	PublishedNote string `json:"published_note,omitempty"`
	Lang          string `json:"lang,omitempty"`
	Text          string `json:"text"`
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
