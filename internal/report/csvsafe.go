package report

// Inert makes a cell of untrusted text safe to open in a spreadsheet: a cell
// starting with =, +, -, @, a tab or a carriage return would be read as a
// formula (CSV injection, see OWASP), so it gets a leading single quote,
// which spreadsheets show as text and do not evaluate. A cell that already
// starts with a quote before one of those characters gets a quote too: the
// README tells programs to strip one leading quote, and that must give back
// the original cell, never a live formula. Everything else is returned
// unchanged. Numbers and times claimwatch writes itself never go through
// Inert, so a negative number stays a number.
func Inert(s string) string {
	if s == "" {
		return s
	}
	if formulaStart(s[0]) || (s[0] == '\'' && len(s) > 1 && formulaStart(s[1])) {
		return "'" + s
	}
	return s
}

// formulaStart reports whether a cell starting with c is read as a formula.
func formulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}
