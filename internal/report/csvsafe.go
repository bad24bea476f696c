package report

// Inert makes a cell of untrusted text safe to open in a spreadsheet: a cell
// starting with =, +, -, @, a tab or a carriage return would be read as a
// formula (CSV injection, see OWASP), so it gets a leading single quote,
// which spreadsheets show as text and do not evaluate. Everything else is
// returned unchanged. Numbers and times claimwatch writes itself never go
// through Inert, so a negative number stays a number.
func Inert(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
