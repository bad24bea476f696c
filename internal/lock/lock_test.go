package lock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holdEnv switches the re-executed test binary into "hold the lock" mode.
const holdEnv = "CLAIMWATCH_LOCK_TEST_HOLD"

func TestMain(m *testing.M) {
	if db := os.Getenv(holdEnv); db != "" {
		holdForever(db)
	}
	os.Exit(m.Run())
}

// holdForever takes the lock, tells the parent, then waits to be killed.
func holdForever(db string) {
	if _, err := Acquire(db); err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	fmt.Println("locked")
	select {}
}

func dbPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "claimwatch.db")
}

func TestSecondAcquireInSameProcessConflicts(t *testing.T) {
	db := dbPath(t)
	first, err := Acquire(db)
	if err != nil {
		t.Fatalf("first Acquire: %v", err)
	}
	_, err = Acquire(db)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Acquire: got %v, want ErrLocked", err)
	}
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("error %T is not a *LockedError", err)
	}
	if le.PID != os.Getpid() {
		t.Errorf("holder pid = %d, want %d", le.PID, os.Getpid())
	}
	if time.Since(le.Since) > time.Minute || le.Since.After(time.Now()) {
		t.Errorf("holder since = %v, want about now", le.Since)
	}
	for _, want := range []string{"database " + db + " is in use by another claimwatch", fmt.Sprintf("(pid %d, since ", os.Getpid()), "stop it or use --wait"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}

	if err := first.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if err := first.Release(); err != nil {
		t.Fatalf("second Release: %v", err)
	}
	again, err := Acquire(db)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	defer again.Release()
}

func TestDifferentDatabasesDoNotConflict(t *testing.T) {
	a, err := Acquire(dbPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	b, err := Acquire(dbPath(t))
	if err != nil {
		t.Fatalf("lock on another database: %v", err)
	}
	defer b.Release()
}

func TestAcquireBadDirectoryNamesDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "missing", "claimwatch.db")
	_, err := Acquire(db)
	if err == nil || errors.Is(err, ErrLocked) {
		t.Fatalf("got %v, want an open error", err)
	}
	if !strings.Contains(err.Error(), db) {
		t.Errorf("error %q does not name %s", err, db)
	}
}

func TestHolderWithoutNoteSaysPidUnknown(t *testing.T) {
	db := dbPath(t)
	l, err := Acquire(db)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	// Simulate a holder that has locked but not yet written its note.
	if err := l.f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(db)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "(pid unknown)") {
		t.Fatalf("got %v, want ErrLocked with pid unknown", err)
	}
}

func TestKilledHolderReleasesLock(t *testing.T) {
	db := dbPath(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("child said %q, %v", line, err)
	}

	_, err = Acquire(db)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Acquire while child holds: got %v, want *LockedError", err)
	}
	if le.PID != cmd.Process.Pid {
		t.Errorf("holder pid = %d, want child's %d", le.PID, cmd.Process.Pid)
	}

	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no chance to clean up
		t.Fatal(err)
	}
	cmd.Wait()
	killed = true

	l, err := Acquire(db)
	if err != nil {
		t.Fatalf("Acquire after the holder was killed: %v", err)
	}
	l.Release()
}

func TestAcquireWaitSucceedsAfterRelease(t *testing.T) {
	db := dbPath(t)
	held, err := Acquire(db)
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(50 * time.Millisecond)
		close(released)
		held.Release()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := AcquireWait(ctx, db, 10*time.Millisecond)
	if err != nil {
		t.Fatalf("AcquireWait: %v", err)
	}
	defer l.Release()
	select {
	case <-released:
	default:
		t.Fatal("AcquireWait returned before the holder released")
	}
}

func TestAcquireWaitGivesUpWithContext(t *testing.T) {
	db := dbPath(t)
	held, err := Acquire(db)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = AcquireWait(ctx, db, 10*time.Millisecond)
	if !errors.Is(err, ErrLocked) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want ErrLocked and DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "in use by another claimwatch (pid ") {
		t.Errorf("message %q lost the holder description", err)
	}
	// It was given --wait: advising --wait would send the operator in a circle.
	if strings.Contains(err.Error(), "use --wait") {
		t.Errorf("message %q advises --wait to a caller that waited", err)
	}
}
