// Package factuality decides whether a news text reports an event as done,
// as not done, or only speaks of it: the factuality of the clause that holds
// the event word. The matcher uses it to turn an event hit into supports
// (asserted), contradicts (negated) or mentions (unasserted).
//
// The model has four steps, all driven by word lists:
//
//  1. Markers. The event's sentence (within the caller's window) is scanned
//     left to right for the lexicon's words and phrases, longest first; each
//     has one or more roles (negation, failure, denial_verb, unasserted,
//     boundary, ...). Phrases of role not_a_marker ("not only", "as well
//     as", "lifts ban") are matched like the others so that their words are
//     not read as markers.
//  2. Clause. From the event, the clause reaches left and right to the
//     nearest boundary: hard punctuation (; : | dashes, brackets), an opening
//     word (but, which, despite, after, as, while, ...), or a comma that an
//     opening word follows (", and ...") or a reporting phrase stands beside
//     (", a source said"; "According to Tass, "). A sentence-initial
//     subordinate clause ends at its comma ("Despite years of delays,
//     Russia delivered ..."); a parenthetical or a relative clause between
//     commas inside the clause is skipped. "that" is no boundary, so a denial
//     reaches the reported clause ("dismissed reports that ...").
//  3. Polarity. Negative markers in the clause are counted: negations (not,
//     n't, never, no, "yet to"; negation_before words such as "without" only
//     before the event), failure and refusal predicates (refused, stalled,
//     held back, cancelled, ...), a denial verb with a report or "that" in its
//     clause, a negative prefix word right before the event ("non-delivery")
//     or, for verb-final languages, a verb after the event that starts with a
//     negative prefix and a known stem (Persian ن + داد). Negative concord
//     words (neither, nor, ни, هیچ) count once, and only in a clause with no
//     other negation. An odd count negates; an even one cancels ("did not
//     deny that ... were delivered" is asserted). A negation that governs a
//     reporting or confirming verb ("has not confirmed") leaves the event
//     unasserted instead.
//  4. Modality. A condition or question ("if", "whether", a clause ending in
//     "?") makes the clause unasserted whatever its polarity; otherwise a
//     negated clause is negated even when modal ("won't deliver" is a
//     refusal); otherwise a modal, future, plan, talks, proposal or
//     expectation marker, or a headline infinitive ("Iran to buy ...": "to"
//     right before the event after no assertive verb), makes it unasserted.
//     Anything else is asserted: past, perfect, passive and headline present
//     tense report events as done. Reporting verbs keep the reported clause's
//     own factuality.
//
// The word lists are data: lexicon/<language>.yaml, embedded, one file per
// language, compiled once into one index (words of different scripts do not
// collide, so a text need not be told its language). Adding a language is
// adding a file. Classify allocates nothing in steady state.
//
// Progress (05:45): API, English lexicon and core tests are in; the Russian
// and Persian lexicons and more English coverage follow.
package factuality
