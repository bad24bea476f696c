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

With --json, print one object with url, title, published, lang and text.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := a.loadDocument(cmd.Context(), args)
			if err != nil {
				return err
			}
			out := extractJSON{Title: doc.Title, Text: doc.Body}
			if p := doc.page; p != nil {
				out.URL, out.Lang = p.URL, p.Lang
				out.Published = report.Stamp(p.Published)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				return enc.Encode(out)
			}
			fmt.Fprintf(a.stdout, "url:       %s\ntitle:     %s\npublished: %s\nlanguage:  %s\n\n%s\n",
				orDash(out.URL), orDash(out.Title), orDash(out.Published), orDash(out.Lang), out.Text)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

type extractJSON struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Published string `json:"published"`
	Lang      string `json:"lang,omitempty"`
	Text      string `json:"text"`
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
