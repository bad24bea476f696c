//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package storage

// dirWritable cannot ask the system here; SQLite's mode=ro alone is used.
func dirWritable(string) bool { return true }
