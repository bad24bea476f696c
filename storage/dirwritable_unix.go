//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package storage

import "syscall"

// dirWritable says whether this process may create files in dir: access(2)
// answers for the real user and for read-only mounts (EROFS), without
// writing anything.
func dirWritable(dir string) bool {
	const wOK = 2 // W_OK
	return syscall.Access(dir, wOK) == nil
}
