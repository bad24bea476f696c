package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

// ErrClosed: SaveArticle was called on a closed Store.
var ErrClosed = errors.New("store is closed")

// maxBatch bounds how many SaveArticle calls share one transaction: enough
// to amortise a commit, few enough that no caller waits long for the others.
const maxBatch = 64

// saveRequest is one SaveArticle call handed to the writer goroutine.
type saveRequest struct {
	a        Article
	findings []evidenceRow
	route    AlertRoute // nil: record no alerts
	now      time.Time
	reply    chan saveReply // buffered: the writer never blocks on it
}

type saveReply struct {
	res SaveResult
	err error
}

// startWriter starts the goroutine that commits SaveArticle calls in groups.
func (s *Store) startWriter() {
	s.saves = make(chan *saveRequest)
	s.closing = make(chan struct{})
	s.writerDone = make(chan struct{})
	go s.writeLoop()
}

// stopWriter lets the writer commit what it has been handed and the calls
// already waiting, then stops it.
func (s *Store) stopWriter() {
	if s.saves == nil {
		return
	}
	s.closeOnce.Do(func() { close(s.closing) })
	<-s.writerDone
}

// submit hands a request to the writer and waits for its reply. The channel
// is unbuffered, so a request is "taken" exactly when the writer receives
// it: until then the caller may give up (context ended, store closed);
// afterwards it waits for the batch's commit.
func (s *Store) submit(ctx context.Context, req *saveRequest) (SaveResult, error) {
	if s.saves == nil {
		return SaveResult{}, ErrReadOnly
	}
	if err := ctx.Err(); err != nil {
		return SaveResult{}, err
	}
	select {
	case s.saves <- req:
	case <-ctx.Done():
		return SaveResult{}, ctx.Err()
	case <-s.closing:
		return SaveResult{}, ErrClosed
	}
	r := <-req.reply
	return r.res, r.err
}

func (s *Store) writeLoop() {
	defer close(s.writerDone)
	batch := make([]*saveRequest, 0, maxBatch)
	for {
		select {
		case req := <-s.saves:
			batch = append(batch[:0], req)
		case <-s.closing:
			// Drain: commit the calls already waiting to be taken.
			for {
				batch = s.gather(batch[:0])
				if len(batch) == 0 {
					return
				}
				s.commitBatch(batch)
			}
		}
		s.commitBatch(s.gather(batch))
	}
}

// gather adds the requests already waiting, without blocking: a lone caller
// is never delayed, and under load the batch is whatever queued up while
// the previous one was committing.
func (s *Store) gather(batch []*saveRequest) []*saveRequest {
	for len(batch) < maxBatch {
		select {
		case req := <-s.saves:
			batch = append(batch, req)
		default:
			return batch
		}
	}
	return batch
}

// commitBatch saves the batch's articles in one transaction and replies to
// every caller once it has committed (or failed).
//
// FTS5 flushes its pending index data to a new segment whenever a statement
// or SAVEPOINT opens a savepoint while it has data pending, which is what
// batching is meant to avoid. So the full-text rows are written last, all
// together, and the normal path uses no savepoints. An article that fails
// cannot then be undone alone: the transaction is rolled back and the batch
// rerun with each article, full-text row included, in its own savepoint,
// where a failure rolls back only its own writes.
func (s *Store) commitBatch(batch []*saveRequest) {
	ctx := context.Background() // taken requests commit whatever their callers' contexts do
	replies := make([]saveReply, len(batch))
	failed := false
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		w := s.stmts.in(ctx, tx)
		var fts []*Article
		for i, req := range batch {
			a := req.a
			res, err := saveArticle(w, &a, req.findings, req.route, req.now, &fts)
			if err != nil {
				failed = true
				return err
			}
			replies[i].res = res
		}
		for _, a := range fts {
			if err := writeFTS(w, a); err != nil {
				failed = true
				return err
			}
		}
		return nil
	})
	if failed {
		err = s.writeTx(ctx, func(tx *sql.Tx) error {
			w := s.stmts.in(ctx, tx)
			for i, req := range batch {
				replies[i] = saveReply{}
				if _, err := tx.ExecContext(ctx, `SAVEPOINT article`); err != nil {
					return err
				}
				a := req.a
				res, err := saveArticle(w, &a, req.findings, req.route, req.now, nil)
				if err != nil {
					// If SQLite rolled the whole transaction back (it does on
					// some I/O errors), the savepoint is gone: fail the batch
					// rather than go on outside a transaction.
					if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO article`); rerr != nil {
						return fmt.Errorf("%w (and rolling it back: %v)", err, rerr)
					}
					replies[i].err = err
				}
				replies[i].res = res
				if _, err := tx.ExecContext(ctx, `RELEASE article`); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for i, req := range batch {
		r := replies[i]
		switch {
		case err != nil:
			r = saveReply{err: err}
		case r.err != nil:
			r.res = SaveResult{}
		}
		req.reply <- r
	}
}

// stmtCache holds the per-article statements prepared on the writer
// connection, so they are parsed and planned once. They are prepared when
// the store opens: preparing on the pool later, while a transaction holds
// its only connection, would wait forever.
type stmtCache struct {
	m map[string]*sql.Stmt
}

// preparedQueries are the statements SaveArticle runs for every article.
var preparedQueries = []string{qExistingArticle, qNextArticleID, qInsertArticle, qInsertNotes, qInsertFTS, qExactStory, qFindStory, qInsertEvidence, qUpdateEvidence, qLiveRules, qQueueRematch}

func prepareStmts(ctx context.Context, db *sql.DB) (*stmtCache, error) {
	c := &stmtCache{m: map[string]*sql.Stmt{}}
	for _, q := range preparedQueries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		c.m[q] = st
	}
	return c, nil
}

func (c *stmtCache) close() error {
	var errs []error
	for _, st := range c.m {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

// stmtTx is a write transaction whose statements come from the cache.
type stmtTx struct {
	ctx   context.Context
	tx    *sql.Tx
	c     *stmtCache
	bound map[string]*sql.Stmt
}

func (c *stmtCache) in(ctx context.Context, tx *sql.Tx) *stmtTx {
	return &stmtTx{ctx: ctx, tx: tx, c: c, bound: map[string]*sql.Stmt{}}
}

// stmt returns the cached statement for query bound to the transaction, or
// (for a query not in the cache) one prepared on the transaction.
func (w *stmtTx) stmt(query string) (*sql.Stmt, error) {
	if st, ok := w.bound[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if cached, ok := w.c.m[query]; ok {
		st = w.tx.StmtContext(w.ctx, cached)
	} else {
		var err error
		if st, err = w.tx.PrepareContext(w.ctx, query); err != nil {
			return nil, err
		}
	}
	w.bound[query] = st
	return st, nil
}

func (w *stmtTx) exec(query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(w.ctx, args...)
}

func (w *stmtTx) query(query string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(w.ctx, args...)
}

// scanRow runs a one-row query into dest; no row gives sql.ErrNoRows.
func (w *stmtTx) scanRow(query string, args []any, dest ...any) error {
	st, err := w.stmt(query)
	if err != nil {
		return err
	}
	return st.QueryRowContext(w.ctx, args...).Scan(dest...)
}

// evidenceRow is a finding checked and encoded for storage, ready before
// the write transaction so the writer spends its time in SQLite only.
type evidenceRow struct {
	claims.Finding
	terms string // JSON array
	hash  string // the claim definition it was matched with; "": the stored one
}
