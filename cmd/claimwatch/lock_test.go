package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// spawnNewsDaemon starts a daemon polling one feed every second, and waits
// until it runs.
func spawnNewsDaemon(t *testing.T) (db, cfg string, daemon *process) {
	fs := newFeedServer(t)
	dir := t.TempDir()
	db = filepath.Join(dir, "cw.db")
	cfg = daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, "", "news")
	daemon = spawn(t, "--db", db, "--config", cfg, "run")
	daemon.waitRunning(t)
	return db, cfg, daemon
}

func TestSecondWriterRefusedAndWaitSucceedsAfterTheDaemonStops(t *testing.T) {
	t.Parallel()
	db, cfg, daemon := spawnNewsDaemon(t)
	holder := fmt.Sprintf("pid %d", daemon.cmd.Process.Pid)

	// A second daemon on the same database refuses at once, naming the
	// holder.
	second := spawn(t, "--db", db, "--config", cfg, "run")
	if code := second.wait(t, startupTimeout); code != exitFailure {
		t.Fatalf("second daemon: exit %d, want 1\n%s", code, second.log)
	}
	if log := second.log.String(); !strings.Contains(log, "in use by another claimwatch") || !strings.Contains(log, holder) || !strings.Contains(log, "--wait") {
		t.Errorf("second daemon's message does not name the holder (%s):\n%s", holder, log)
	}

	// So does a cron pass.
	code, _, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once")
	if code != exitFailure || !strings.Contains(errOut, holder) {
		t.Fatalf("run --once beside the daemon: exit %d %q", code, errOut)
	}

	// With --wait it waits for the daemon, then does its pass.
	waiter := spawn(t, "--db", db, "--config", cfg, "run", "--once", "--wait")
	time.Sleep(1500 * time.Millisecond) // long enough to start and find the lock held
	select {
	case <-waiter.done:
		t.Fatalf("run --once --wait did not wait for the daemon: exit %d\n%s", waiter.code, waiter.log)
	default:
	}
	daemon.signal(t, syscall.SIGTERM)
	if code := daemon.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("daemon: exit %d\n%s", code, daemon.log)
	}
	if code := waiter.wait(t, startupTimeout); code != 0 || !strings.Contains(waiter.log.String(), "1 ok") {
		t.Fatalf("run --once --wait: exit %d\n%s", code, waiter.log)
	}
	checkDB(t, db)
}

func TestKilledDaemonLeavesNoLock(t *testing.T) {
	t.Parallel()
	db, cfg, daemon := spawnNewsDaemon(t)
	daemon.signal(t, syscall.SIGKILL)
	daemon.wait(t, 10*time.Second)

	code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once")
	if code != 0 || !strings.Contains(out, "1 ok") {
		t.Fatalf("run --once after the daemon was killed: exit %d\n%s%s", code, out, errOut)
	}
	checkDB(t, db)
}
