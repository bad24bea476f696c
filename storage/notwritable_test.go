package storage

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// SQLite's SQLITE_READONLY (a file or directory this process cannot write)
// becomes ErrNotWritable naming the database; other errors pass unchanged.
func TestNotWritableNamesTheDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cw.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	ro, err := sql.Open("sqlite", dsn(path, []string{"mode=ro"}))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	_, werr := ro.ExecContext(ctx, "CREATE TABLE t (x)")
	if werr == nil {
		t.Fatal("a write through mode=ro succeeded")
	}
	err = notWritable(path, werr)
	if !errors.Is(err, ErrNotWritable) || !strings.Contains(err.Error(), "database "+path+": ") {
		t.Errorf("got %v, want ErrNotWritable naming %s", err, path)
	}
	if other := errors.New("disk I/O error"); notWritable(path, other) != other {
		t.Errorf("another error was changed: %v", notWritable(path, other))
	}
}
