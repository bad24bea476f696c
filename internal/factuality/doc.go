// Package factuality decides whether a news text reports an event as done,
// as not done, or only speaks of it: the factuality of the clause that holds
// the event word. The matcher uses it to turn an event hit into supports
// (Asserted), contradicts (Negated) or mentions (Unasserted). It owns the
// word lists and the rules; what an event is belongs to the matcher.
//
// The model has four steps, all driven by word lists:
//
//  1. Markers. The event's sentence (within the caller's window, and within
//     60 words of the event) is scanned left to right for the lexicon's
//     words and phrases, longest first. Each has one or more roles. Phrases
//     of role not_a_marker ("not only", "as well as", "lifts ban") are
//     matched like the others so that their words are not read as markers.
//  2. Clause. From the event, the clause reaches left and right to the
//     nearest boundary: hard punctuation (; : | em dash, spaced dash,
//     brackets), an opening word (boundary: but, whereas, "and has", "in
//     order to"; subordinator: despite, after, as, while, if; relative:
//     which, who), a comma followed by a comma_boundary word (", and", ",
//     with") or beside a reporting phrase (", a source said"; "According to
//     Tass, "), and, after the event, a subject pronoun that opens a contact
//     relative clause ("the jets it had long sought"). A clause opened by a
//     subordinator or relative ends at its first comma, so "Despite years of
//     delays, Russia delivered ..." puts the event in the main clause, and a
//     relative clause or parenthetical inside the clause is skipped. "that"
//     is no boundary, so a denial reaches the reported clause ("dismissed
//     reports that ..."). A participial aside between commas ("The
//     deliveries, delayed for years, finally began") is skipped, a trailing
//     one ends the clause, and an event that is itself such a participle
//     ("The deal, signed in 2021, ...") gets the aside as its clause. A
//     conditional subordinate clause beside the clause ("If talks succeed,
//     ..."; "... unless Iran pays") conditions it.
//  3. Polarity. Negative markers in the clause are counted: negation (not,
//     n't, never, no, "yet to", deny; a negation_determiner "no" that
//     determines a noun of its own, before a link word on the way to the
//     event, leaves the event and the markers after the link unasserted
//     instead: "has no leverage to block arms sales", "no effect on plans
//     to sell"), negation_before only before the event
//     ("without"), failure (refused, stalled, held back, cancelled, ...),
//     denial_verb when its clause holds a denial_object ("dismissed
//     reports", "rejected claims", "denied that") or a refused_object a few
//     words after it ("rejected Iran's request to buy", "turned down an
//     offer"), or it stands right before the event or after it, negative_prefix as a word right before the
//     event ("non-delivery") or as the start of a verb of the clause whose
//     rest is a prefixed_verb stem (Persian, verb-final, negates verbs with
//     prefixes: "تحویل نداد" is ن + داد; "متوقف نشد", was not stopped, is a
//     double negation). negation_concord words (neither, nor,
//     ни, هیچ) count once, and only in a clause with no other negation, and
//     so do denial verbs ("denied claims ..., debunking rumours" is one
//     denial). An odd count negates; an even one cancels ("did not deny
//     that ... were delivered" is asserted), except a denial of a refusal
//     before the event ("rejected a report that Russia had refused to
//     supply"), which leaves the event unasserted. A negation that governs a reporting or
//     confirm verb ("has not confirmed", "declined to comment") leaves the
//     event unasserted instead. When the event word is a past_form
//     ("delivered", "sold"), what follows it is its object or a relative
//     clause, so failure and unasserted markers after it are ignored and a
//     negation counts only right after it ("received no jets"), and the
//     unasserted_noun words of its subject or object ("The proposal was
//     approved") do not hedge it.
//     After the event and its object, a relative_after word ("vetoes a
//     resolution that would have condemned Iran") opens a clause whose
//     markers are its own and are not counted.
//  4. Modality. A condition or question (condition words, a clause ending in
//     "?" or "؟") makes the clause Unasserted whatever its polarity;
//     otherwise an odd polarity makes it Negated even when modal ("won't
//     deliver" is a refusal); otherwise an unasserted marker (modal, future,
//     plan, talks, proposal, expectation), a future_form event word (Russian
//     "поставит"), or a headline infinitive ("Iran to buy ...": infinitive
//     "to" right before the event, or before a passive_be before it
//     ("first S-300 to be delivered"), after no marker; after an
//     assert_before_to verb such as "began" it stays asserted) makes it
//     Unasserted. Anything else is Asserted: past, perfect, passive and the
//     headline present report events as done. reporting and confirm verbs
//     keep the reported clause's own factuality.
//
// The word lists are data: lexicon/<language>.yaml, embedded, one file per
// language, compiled once into a trie of first words (words of different
// scripts do not collide, so a text need not be told its language). Adding a
// language is adding a file; Compile builds a Lexicon from any set of files
// and reports a bad one by file and line. Classify allocates nothing in
// steady state (cue strings are interned).
//
// Status: usable by the matcher since the first commit on branch
// factuality (API, English lexicon, core tests); Russian and Persian
// lexicons and wider English coverage followed. Pass the event word (the
// verb or noun of the event), not a span from actor to recipient: markers
// inside [pos, end) are ignored.
//
// Known limits: without parts of speech, a participial aside without commas
// shares its clause with the main verb; a coordinated clause joined by a bare "and" with a new subject
// ("Russia delivered the S-300 and Iran has not paid") is not split; a
// negation after a nominal event is read as its predicate.
package factuality
