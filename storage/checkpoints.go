package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Checkpoint is how far a backfill got through one input.
type Checkpoint struct {
	Input string
	// Offset is where to carry on: for a WARC file, the byte offset of the
	// first record not yet finished.
	Offset int64
	Done   bool
	// Records counts the records finished so far.
	Records int64
}

// Checkpoint returns the checkpoint of an input; a zero one (offset 0, not
// done) when it has none.
func (s *Store) Checkpoint(ctx context.Context, input string) (Checkpoint, error) {
	cp := Checkpoint{Input: input}
	var done int
	err := s.r.QueryRowContext(ctx, `SELECT resume_offset, done, records FROM backfill_checkpoints WHERE input = ?`, input).
		Scan(&cp.Offset, &done, &cp.Records)
	if errors.Is(err, sql.ErrNoRows) {
		return cp, nil
	}
	if err != nil {
		return cp, fmt.Errorf("checkpoint of %s: %w", input, err)
	}
	cp.Done = done == 1
	return cp, nil
}

// SaveCheckpoint records a checkpoint. Articles are committed before the
// checkpoint that passes them, so a crash between the two only reads a
// few records again, and those are found already stored.
func (s *Store) SaveCheckpoint(ctx context.Context, cp Checkpoint) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO backfill_checkpoints (input, resume_offset, done, records, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (input) DO UPDATE SET resume_offset = excluded.resume_offset, done = excluded.done,
				records = excluded.records, updated_at = excluded.updated_at`,
			cp.Input, cp.Offset, boolInt(cp.Done), cp.Records, dbTime(time.Now().UTC()))
		if err != nil {
			return fmt.Errorf("checkpoint of %s: %w", cp.Input, err)
		}
		return nil
	})
}
