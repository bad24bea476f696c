package factuality_test

import (
	"fmt"
	"strings"

	"github.com/claimwatch/claimwatch/internal/factuality"
	"github.com/claimwatch/claimwatch/internal/textnorm"
)

func ExampleClassify() {
	for _, text := range []string{
		"Russia has yet to deliver a single Su-35 to Iran, even after years of negotiations.",
		"Moscow dismissed reports that it had sold S-400 systems to Tehran.",
		"Russia delivered the S-400 to Iran, despite years of talks.",
		"Iran to buy Su-35 jets from Russia",
	} {
		tk := textnorm.Tokenize(text)
		words := tk.Words()
		pos := 0
		for i, w := range words {
			if w == "deliver" || w == "sold" || w == "delivered" || w == "buy" {
				pos = i
				break
			}
		}
		r := factuality.Classify(tk, 0, len(words), pos, pos+1)
		fmt.Printf("%s %q [%s]\n", r.Class, r.Cue, strings.Join(words[r.Start:r.End], " "))
	}
	// Output:
	// negated "has yet to" [russia has yet to deliver a single su 35 to iran]
	// negated "dismissed reports that" [moscow dismissed reports that it had sold s 400 systems to tehran]
	// asserted "" [russia delivered the s 400 to iran]
	// unasserted "to" [iran to buy su 35 jets from russia]
}
