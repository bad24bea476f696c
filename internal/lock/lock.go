// Package lock keeps one writer per database: `claimwatch run` takes an
// exclusive advisory lock on a file beside the database so that a second
// daemon (or a cron `run --once` overlapping the daemon) refuses to start
// instead of interleaving writes.
//
// The lock is flock(2) on dbPath+".lock". The kernel drops it when the
// holding process dies, however it dies, so a killed daemon never leaves a
// stale lock behind. The file itself is never removed: unlinking it would
// let two processes lock two different inodes under the same name. Its
// content (pid and start time of the holder) only serves the error message.
package lock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrLocked is matched (errors.Is) by the error Acquire returns when another
// process holds the lock; errors.As to *LockedError gives the holder.
var ErrLocked = errors.New("database is locked by another claimwatch")

// LockedError says who holds the lock. PID is 0 and Since is zero when the
// holder has not (yet) written them.
type LockedError struct {
	DB    string
	PID   int
	Since time.Time
	// waited: AcquireWait gave up, so "use --wait" would be no advice.
	waited bool
}

func (e *LockedError) Error() string {
	holder := "pid unknown"
	if e.PID > 0 {
		holder = "pid " + strconv.Itoa(e.PID)
		if !e.Since.IsZero() {
			holder += ", since " + e.Since.Format(time.RFC3339)
		}
	}
	if e.waited {
		return fmt.Sprintf("database %s is still in use by another claimwatch (%s)", e.DB, holder)
	}
	return fmt.Sprintf("database %s is in use by another claimwatch (%s); stop it or use --wait", e.DB, holder)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Lock is a held lock; Release it when done (process exit releases it too).
type Lock struct {
	f    *os.File
	path string
}

// Path is the lock file's path (dbPath + ".lock").
func (l *Lock) Path() string { return l.path }

// Acquire takes the lock for dbPath without blocking. When another process
// (or another Acquire in this process) holds it, the error is a *LockedError.
func Acquire(dbPath string) (*Lock, error) {
	path := dbPath + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock database %s: %w", dbPath, err)
	}
	locked, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock database %s: %w", dbPath, err)
	}
	if !locked {
		holder := readHolder(f)
		f.Close()
		holder.DB = dbPath
		return nil, holder
	}
	if err := writeHolder(f, os.Getpid(), time.Now()); err != nil {
		unlock(f)
		f.Close()
		return nil, fmt.Errorf("lock database %s: write %s: %w", dbPath, path, err)
	}
	return &Lock{f: f, path: path}, nil
}

// AcquireWait retries Acquire every poll (default 500 ms) until it succeeds
// or ctx is done. On ctx's end the error wraps both the last *LockedError
// and ctx.Err(). Errors other than ErrLocked are returned at once.
func AcquireWait(ctx context.Context, dbPath string, poll time.Duration) (*Lock, error) {
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		l, err := Acquire(dbPath)
		if err == nil || !errors.Is(err, ErrLocked) {
			return l, err
		}
		select {
		case <-ctx.Done():
			var le *LockedError
			if errors.As(err, &le) {
				le.waited = true
			}
			return nil, fmt.Errorf("%w (gave up waiting: %w)", err, ctx.Err())
		case <-t.C:
		}
	}
}

// Release clears the holder note and drops the lock. Calling it twice is
// harmless.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	// Clear the note first, while still holding the lock, so that a waiter
	// never reads a departed holder's pid.
	truncErr := f.Truncate(0)
	unlockErr := unlock(f)
	closeErr := f.Close()
	if err := errors.Join(truncErr, unlockErr, closeErr); err != nil {
		return fmt.Errorf("release %s: %w", l.path, err)
	}
	return nil
}

// The note is two lines: the pid, then the start time in RFC 3339.
func writeHolder(f *os.File, pid int, since time.Time) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	note := strconv.Itoa(pid) + "\n" + since.Format(time.RFC3339Nano) + "\n"
	if _, err := f.WriteAt([]byte(note), 0); err != nil {
		return err
	}
	return nil
}

// readHolder is best effort: the holder may be between locking and writing.
func readHolder(f *os.File) *LockedError {
	e := &LockedError{}
	buf := make([]byte, 128)
	n, _ := f.ReadAt(buf, 0)
	lines := strings.Split(string(buf[:n]), "\n")
	if pid, err := strconv.Atoi(strings.TrimSpace(lines[0])); err == nil && pid > 0 {
		e.PID = pid
	}
	if len(lines) > 1 {
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(lines[1])); err == nil {
			e.Since = t
		}
	}
	return e
}
