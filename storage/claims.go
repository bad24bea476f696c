package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

// SyncClaims records the claims loaded from the claim files: new claims are
// inserted, existing ones updated. It returns the ids that are new or whose
// Hash changed (their evidence needs re-matching, see Rematch), in input
// order. Claims in the database but absent from cs are marked retired, never
// deleted, so their evidence, reviews and verdicts survive; a retired claim
// that reappears is un-retired.
func (s *Store) SyncClaims(ctx context.Context, cs []claims.Claim) (changed []string, err error) {
	now := dbTime(s.now())
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		changed = nil
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS sync_ids (id TEXT PRIMARY KEY)`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM temp.sync_ids`); err != nil {
			return err
		}
		for _, c := range cs {
			if c.ID == "" {
				return fmt.Errorf("claim from %s:%d has no id", c.File, c.Line)
			}
			def, err := json.Marshal(c)
			if err != nil {
				return fmt.Errorf("claim %s: encode definition: %w", c.ID, err)
			}
			var horizon any
			if c.Horizon != nil {
				horizon = dbTime(*c.Horizon)
			}
			var oldHash sql.NullString
			err = tx.QueryRowContext(ctx, `SELECT hash FROM claims WHERE id = ?`, c.ID).Scan(&oldHash)
			if err != nil && err != sql.ErrNoRows {
				return fmt.Errorf("claim %s: %w", c.ID, err)
			}
			if !oldHash.Valid || oldHash.String != c.Hash {
				changed = append(changed, c.ID)
			}
			_, err = tx.ExecContext(ctx, `
				INSERT INTO claims (id, statement, made, horizon, hash, definition, retired, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)
				ON CONFLICT (id) DO UPDATE SET
					statement = excluded.statement, made = excluded.made, horizon = excluded.horizon,
					hash = excluded.hash, definition = excluded.definition, retired = 0,
					updated_at = CASE WHEN claims.hash IS excluded.hash AND claims.retired = 0
					                  AND claims.definition IS excluded.definition
					             THEN claims.updated_at ELSE excluded.updated_at END`,
				c.ID, c.Statement, dbTime(c.Made), horizon, c.Hash, string(def), now, now)
			if err != nil {
				return fmt.Errorf("claim %s (%s:%d): %w", c.ID, c.File, c.Line, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO temp.sync_ids (id) VALUES (?)`, c.ID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE claims SET retired = 1, updated_at = ?
			WHERE retired = 0 AND id NOT IN (SELECT id FROM temp.sync_ids)`, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sync claims: %w", err)
	}
	return changed, nil
}

// ClaimRecord is a claim as stored.
type ClaimRecord struct {
	ID, Statement, Hash string
	Made                time.Time
	Horizon             *time.Time
	Retired             bool
	UpdatedAt           time.Time
	// Definition is the claims.Claim as last synced (JSON-decoded).
	Definition claims.Claim
}

// Claims lists the stored claims, retired ones included, by id.
func (s *Store) Claims(ctx context.Context) ([]ClaimRecord, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, statement, hash, made, horizon, retired, updated_at, definition FROM claims ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list claims: %w", err)
	}
	defer rows.Close()
	var out []ClaimRecord
	for rows.Next() {
		var c ClaimRecord
		var made, horizon, updated sql.NullString
		var def string
		if err := rows.Scan(&c.ID, &c.Statement, &c.Hash, &made, &horizon, &c.Retired, &updated, &def); err != nil {
			return nil, fmt.Errorf("list claims: %w", err)
		}
		c.Made, c.UpdatedAt = mustTime(made), mustTime(updated)
		if horizon.Valid {
			h := mustTime(horizon)
			c.Horizon = &h
		}
		if err := json.Unmarshal([]byte(def), &c.Definition); err != nil {
			return nil, fmt.Errorf("list claims: claim %s: decode definition: %w", c.ID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list claims: %w", err)
	}
	return out, nil
}
