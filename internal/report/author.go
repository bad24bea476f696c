package report

import (
	"os"
	"os/user"
)

// Author is who a review or verdict is recorded as: the --by flag, else
// the login name, else $USER, else "unknown".
func Author(flag string) string {
	if flag != "" {
		return flag
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}
