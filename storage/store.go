// Package storage keeps everything claimwatch remembers in one SQLite file:
// claims (as last synced from the claim files), sources and their polling
// state, articles with a full-text index, evidence linking articles to
// claims, analysts' reviews and verdicts, and the fetch log.
//
// It uses modernc.org/sqlite (pure Go). The file is in WAL mode so readers
// never wait for the writer; all writes of one Store go through a single
// connection and start with BEGIN IMMEDIATE, and other processes wait up to
// busyTimeout for the write lock instead of failing with "database is locked".
//
// Group commit: SaveArticle, the one write that comes in volume (ingestion
// saves articles from several sources and several workers per source at
// once), hands its article to a single writer goroutine. The writer takes
// whatever calls are waiting (up to 64, never lingering for more, so a lone
// caller is not delayed) and commits them in one transaction; each caller
// gets its result only after that commit. With pure-Go SQLite the fixed
// cost of a commit dominates an article's own writes: FTS5 flushes its
// pending index data to a new segment (and merges segments) at every
// commit, and the WAL gets every touched page again, so sharing one commit
// among many articles multiplies throughput. Atomicity per article is kept:
// the batch's articles are written in call order (each sees the ones before
// it, so dedupe and story grouping behave as if they were saved one by
// one), and an article whose writes fail is reported to its caller alone
// while the others commit (the batch is rerun with a savepoint per article).
// Close lets the writer finish the calls already handed to it.
//
// All times are stored in UTC with millisecond precision.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Sentinel errors callers branch on (with errors.Is).
var (
	// ErrNotFound: the claim, evidence or source named does not exist.
	ErrNotFound = errors.New("not found")
	// ErrBadQuery: a full-text search query is not valid FTS5 syntax.
	ErrBadQuery = errors.New("bad query")
	// ErrSchemaTooNew: the database was written by a newer claimwatch.
	ErrSchemaTooNew = errors.New("database schema is newer than this claimwatch")
	// ErrReadOnly: a write was attempted on a store opened with OpenReadOnly.
	ErrReadOnly = errors.New("store is opened read-only")
	// ErrDiskFull: SQLite could not grow the database (SQLITE_FULL): the
	// disk, or the page budget of WithMaxPageCount, is exhausted.
	ErrDiskFull = errors.New("the database is full (no space left on its disk)")
	// ErrNotWritable: Open could not write the database (SQLITE_READONLY):
	// the file, or its directory, where SQLite keeps -wal and -shm files
	// beside it, is not writable by this process (permissions, a read-only
	// mount). OpenReadOnly still works there.
	ErrNotWritable = errors.New("this user cannot write it: the file or its directory is read-only (SQLite writes -wal and -shm files beside the database); commands that only read still work")
)

// Option adjusts how Open opens a database.
type Option func(*options)

type options struct {
	maxPageCount int
}

// WithMaxPageCount caps the database at n pages (SQLite's max_page_count,
// on the writer connection): a write that would grow it further fails with
// ErrDiskFull, exactly as on a full disk. Tests use it to cut the disk short.
func WithMaxPageCount(n int) Option {
	return func(o *options) { o.maxPageCount = n }
}

// diskFull marks SQLite's SQLITE_FULL with ErrDiskFull, keeping the error.
func diskFull(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL && !errors.Is(err, ErrDiskFull) {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}

// notWritable marks SQLite's SQLITE_READONLY with ErrNotWritable, naming
// the database, instead of SQLite's bare "attempt to write a readonly
// database".
func notWritable(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_READONLY && !errors.Is(err, ErrNotWritable) {
		return fmt.Errorf("database %s: %w (%w)", path, ErrNotWritable, err)
	}
	return err
}

// busyTimeout is how long a connection waits for another one's lock.
const busyTimeout = 10 * time.Second

// Store is an open claimwatch database. It is safe for concurrent use.
type Store struct {
	path string
	// w is the single writer connection (nil when read-only); r is a pool of
	// reader connections. Keeping them apart means a long report never holds
	// up ingestion and in-process writers never race for the write lock.
	w *sql.DB
	r *sql.DB
	// now is the clock, replaceable in tests.
	now func() time.Time

	// The group-commit writer (nil channels when read-only); see writer.go.
	stmts      *stmtCache
	saves      chan *saveRequest
	closing    chan struct{}
	closeOnce  sync.Once
	writerDone chan struct{}

	alertRoute atomic.Pointer[AlertRoute] // see SetAlertRoute
}

// Open opens (creating if needed) the database at path, and brings its schema
// up to date. A database written by a newer claimwatch is refused with
// ErrSchemaTooNew.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	common := []string{
		"_pragma=busy_timeout(" + fmt.Sprint(busyTimeout.Milliseconds()) + ")",
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(NORMAL)",
	}
	wparams := append(common, "_pragma=journal_mode(WAL)", "_txlock=immediate")
	if o.maxPageCount > 0 {
		wparams = append(wparams, fmt.Sprintf("_pragma=max_page_count(%d)", o.maxPageCount))
	}
	w, err := sql.Open("sqlite", dsn(abs, wparams))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	s := &Store{path: abs, w: w, now: time.Now}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, notWritable(abs, err)
	}
	if s.stmts, err = prepareStmts(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// The reader pool is opened after migrating, so journal_mode is already
	// WAL and readers need not (and must not race to) set it.
	s.r, err = sql.Open("sqlite", dsn(abs, append(common, "_pragma=query_only(1)", "_pragma=mmap_size(268435456)")))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s.r.SetMaxOpenConns(8)
	if err := s.r.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s.startWriter()
	return s, nil
}

// OpenReadOnly opens an existing database for reports: it never creates,
// migrates or writes the file (SQLite's mode=ro), and sees what writers have
// committed (WAL included). A missing or empty (0-byte) file is an error,
// and the schema must be exactly the one this binary knows.
//
// When the file's directory is not writable (a read-only mount, a copy
// readable by everyone but writable by no one), SQLite could not create the
// shared-memory file a WAL reader needs, so the file is opened immutable:
// no locks, no -shm, only the main file is read. Commits still in a -wal
// file beside it are then not seen; a backup (db backup) never has one.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("open database %s read-only: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("open database %s read-only: it is a directory", path)
	}
	if fi.Size() == 0 {
		return nil, fmt.Errorf("open database %s read-only: %w", path, ErrEmptyDatabase)
	}
	params := []string{
		"mode=ro",
		"_pragma=busy_timeout(" + fmt.Sprint(busyTimeout.Milliseconds()) + ")",
		"_pragma=foreign_keys(1)",
	}
	if !dirWritable(filepath.Dir(abs)) {
		params = append(params, "immutable=1")
	}
	r, err := sql.Open("sqlite", dsn(abs, params))
	if err != nil {
		return nil, fmt.Errorf("open database %s read-only: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	s := &Store{path: abs, r: r, now: time.Now}
	var v int
	if err := r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		r.Close()
		return nil, fmt.Errorf("open database %s read-only: %w", path, err)
	}
	latest := len(migrations)
	switch {
	case v > latest:
		r.Close()
		return nil, tooNew(abs, v, latest)
	case v == 0:
		r.Close()
		return nil, fmt.Errorf("open database %s read-only: it holds no claimwatch schema (an empty or interrupted copy?)", path)
	case v < latest:
		r.Close()
		return nil, fmt.Errorf("open database %s read-only: schema version %d, this claimwatch needs %d: open it once read-write (e.g. run claimwatch) to migrate", path, v, latest)
	}
	return s, nil
}

// ErrEmptyDatabase: the database file has no bytes (an interrupted copy),
// which SQLite would silently treat as a new database.
var ErrEmptyDatabase = errors.New("the file is empty (0 bytes), not a claimwatch database: an interrupted copy?")

// dsn builds a file: URI, escaping the path so names with '?', '#' or '%'
// survive, followed by the driver and SQLite parameters.
func dsn(abs string, params []string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	return u.String() + "?" + strings.Join(params, "&")
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close waits for the SaveArticle calls already handed to the writer to
// commit, then closes all connections. SaveArticle calls not yet taken get
// ErrClosed.
func (s *Store) Close() error {
	s.stopWriter()
	var errs []error
	if s.stmts != nil {
		errs = append(errs, s.stmts.close())
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database %s: %w", s.path, err)
	}
	return nil
}

// writeTx runs fn in one write transaction (BEGIN IMMEDIATE), committing when
// fn returns nil and rolling back otherwise.
func (s *Store) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.w == nil {
		return ErrReadOnly
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return diskFull(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", diskFull(err))
	}
	return nil
}

// timeLayout is fixed width so stored times sort as strings.
const timeLayout = "2006-01-02T15:04:05.000Z"

// dbTime formats t for storage; the zero time becomes NULL.
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// parseTime reads a stored time; NULL or empty gives the zero time.
func parseTime(ns sql.NullString) (time.Time, error) {
	if !ns.Valid || ns.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, ns.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", ns.String, err)
	}
	return t, nil
}

// mustTime is parseTime for values this package wrote itself; a malformed
// one (only possible by editing the file by hand) reads as the zero time.
func mustTime(ns sql.NullString) time.Time {
	t, _ := parseTime(ns)
	return t
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// execOne runs a statement that must affect a row; none gives ErrNotFound.
func execOne(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}
