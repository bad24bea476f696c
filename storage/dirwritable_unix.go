//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package storage

import "golang.org/x/sys/unix"

// dirWritable says whether this process may create files in dir: access(2)
// answers for the real user and for read-only mounts (EROFS), without
// writing anything.
func dirWritable(dir string) bool {
	return unix.Access(dir, unix.W_OK) == nil
}
