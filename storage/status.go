package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Status summarises one claim for the status report.
type Status struct {
	ClaimID   string
	Statement string
	Made      time.Time
	Horizon   *time.Time
	Retired   bool // no claim file defines it any more
	// Verdict is the latest analyst verdict, "open" when never judged.
	Verdict   string
	VerdictAt time.Time
	// Counts by effective stance, leaving out evidence reviewed irrelevant
	// and stale evidence.
	Supports, Contradicts, Mentions int
	// Stories counts distinct stories (syndicated copies count once) and
	// Outlets distinct hosts, among the counted evidence.
	Stories, Outlets int
	// Latest published dates of supporting and contradicting evidence (zero:
	// none).
	LatestSupports, LatestContradicts time.Time
	Trend                             Trend
	// SuggestExpired: the horizon has passed and the verdict is neither
	// confirmed nor already expired.
	SuggestExpired bool
}

// Trend compares how much counted evidence was published recently with the
// equal period before: Last30 covers [now-30d, now), Prev30 [now-60d, now-30d),
// and likewise for 90 days.
type Trend struct {
	Last30, Prev30, Last90, Prev90 int
}

// counted selects the evidence reports count: not stale, not irrelevant.
const counted = `(SELECT e.*, ` + effectiveStance + ` AS eff FROM evidence e WHERE e.stale = 0) ev
	JOIN articles a ON a.id = ev.article_id`

// ClaimStatus returns every claim's status (retired ones included, marked),
// by claim id, with trend windows ending at now.
func (s *Store) ClaimStatus(ctx context.Context, now time.Time) ([]Status, error) {
	day := 24 * time.Hour
	var trendCols string
	var args []any
	for _, w := range []struct {
		name     string
		from, to time.Duration
	}{{"l30", 30 * day, 0}, {"p30", 60 * day, 30 * day}, {"l90", 90 * day, 0}, {"p90", 180 * day, 90 * day}} {
		trendCols += `, SUM(ev.published_at >= ? AND ev.published_at < ?) AS ` + w.name
		args = append(args, dbTime(now.Add(-w.from)), dbTime(now.Add(-w.to)))
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT c.id, c.statement, c.made, c.horizon, c.retired, v.verdict, v.created_at,
			COALESCE(x.sup, 0), COALESCE(x.con, 0), COALESCE(x.men, 0), COALESCE(x.stories, 0),
			COALESCE(x.outlets, 0), x.lsup, x.lcon,
			COALESCE(x.l30, 0), COALESCE(x.p30, 0), COALESCE(x.l90, 0), COALESCE(x.p90, 0)
		FROM claims c
		LEFT JOIN (
			SELECT claim_id, verdict, created_at,
				row_number() OVER (PARTITION BY claim_id ORDER BY id DESC) AS rn
			FROM verdicts
		) v ON v.claim_id = c.id AND v.rn = 1
		LEFT JOIN (
			SELECT ev.claim_id,
				SUM(ev.eff = 'supports') AS sup, SUM(ev.eff = 'contradicts') AS con,
				SUM(ev.eff = 'mentions') AS men,
				COUNT(DISTINCT a.story_id) AS stories, COUNT(DISTINCT NULLIF(a.outlet, '')) AS outlets,
				MAX(CASE WHEN ev.eff = 'supports' THEN ev.published_at END) AS lsup,
				MAX(CASE WHEN ev.eff = 'contradicts' THEN ev.published_at END) AS lcon
				`+trendCols+`
			FROM `+counted+`
			WHERE ev.eff <> 'irrelevant'
			GROUP BY ev.claim_id
		) x ON x.claim_id = c.id
		ORDER BY c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("claim status: %w", err)
	}
	defer rows.Close()
	var out []Status
	for rows.Next() {
		var st Status
		var made, horizon, verdict, verdictAt, lsup, lcon sql.NullString
		err := rows.Scan(&st.ClaimID, &st.Statement, &made, &horizon, &st.Retired, &verdict, &verdictAt,
			&st.Supports, &st.Contradicts, &st.Mentions, &st.Stories, &st.Outlets, &lsup, &lcon,
			&st.Trend.Last30, &st.Trend.Prev30, &st.Trend.Last90, &st.Trend.Prev90)
		if err != nil {
			return nil, fmt.Errorf("claim status: %w", err)
		}
		st.Made, st.VerdictAt = mustTime(made), mustTime(verdictAt)
		st.LatestSupports, st.LatestContradicts = mustTime(lsup), mustTime(lcon)
		st.Verdict = VerdictOpen
		if verdict.Valid {
			st.Verdict = verdict.String
		}
		if horizon.Valid {
			h := mustTime(horizon)
			st.Horizon = &h
			st.SuggestExpired = h.Before(now) && st.Verdict != VerdictConfirmed && st.Verdict != VerdictExpired
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim status: %w", err)
	}
	return out, nil
}

// TimelineRow counts a claim's evidence in one period.
type TimelineRow struct {
	// Period is "2020-01-10" (day), the Monday starting the week
	// ("2020-01-06"), or "2020-01" (month), in UTC.
	Period                          string
	Supports, Contradicts, Mentions int
}

// maxPeriods bounds a timeline so a careless range cannot exhaust memory.
const maxPeriods = 100000

// Timeline counts a claim's evidence (by effective stance, leaving out stale
// and irrelevant evidence) per day, week or month of publication within
// [since, until) (zero: unbounded). Periods without evidence are included
// as zero rows between the first and last period of the range (or of the
// data, for an unbounded side). Unknown claim: ErrNotFound.
func (s *Store) Timeline(ctx context.Context, claimID, period string, since, until time.Time) ([]TimelineRow, error) {
	var expr string
	switch period {
	case "day":
		expr = `substr(ev.published_at, 1, 10)`
	case "week":
		expr = `date(ev.published_at, 'weekday 0', '-6 days')`
	case "month":
		expr = `substr(ev.published_at, 1, 7)`
	default:
		return nil, fmt.Errorf("timeline of %s: unknown period %q: want day, week or month", claimID, period)
	}
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1 FROM claims WHERE id = ?`, claimID).Scan(&one); err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", claimID, errIsNoRows(err))
	}
	// Only evidence columns are needed: no join with the (large) articles.
	q := `SELECT ` + expr + ` AS p, SUM(ev.eff = 'supports'), SUM(ev.eff = 'contradicts'), SUM(ev.eff = 'mentions')
		FROM (SELECT e.claim_id, e.published_at, ` + effectiveStance + ` AS eff FROM evidence e WHERE e.stale = 0) ev
		WHERE ev.claim_id = ? AND ev.eff <> 'irrelevant'`
	args := []any{claimID}
	if !since.IsZero() {
		q, args = q+` AND ev.published_at >= ?`, append(args, dbTime(since))
	}
	if !until.IsZero() {
		q, args = q+` AND ev.published_at < ?`, append(args, dbTime(until))
	}
	rows, err := s.r.QueryContext(ctx, q+` GROUP BY p ORDER BY p`, args...)
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", claimID, err)
	}
	defer rows.Close()
	var got []TimelineRow
	for rows.Next() {
		var r TimelineRow
		if err := rows.Scan(&r.Period, &r.Supports, &r.Contradicts, &r.Mentions); err != nil {
			return nil, fmt.Errorf("timeline of %s: %w", claimID, err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", claimID, err)
	}
	out, err := fillPeriods(got, period, since, until)
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", claimID, err)
	}
	return out, nil
}

// fillPeriods inserts zero rows for the periods missing from got.
func fillPeriods(got []TimelineRow, period string, since, until time.Time) ([]TimelineRow, error) {
	p := periodOf(period)
	var first, last time.Time
	switch {
	case !since.IsZero():
		first = p.start(since.UTC())
	case len(got) > 0:
		first = p.parse(got[0].Period)
	}
	switch {
	case !until.IsZero():
		last = p.start(until.UTC().Add(-time.Millisecond))
	case len(got) > 0:
		last = p.parse(got[len(got)-1].Period)
	}
	if first.IsZero() || last.IsZero() || last.Before(first) {
		return got, nil
	}
	byLabel := make(map[string]TimelineRow, len(got))
	for _, r := range got {
		byLabel[r.Period] = r
	}
	var out []TimelineRow
	for t := first; !t.After(last); t = p.next(t) {
		if len(out) == maxPeriods {
			return nil, fmt.Errorf("more than %d %ss between %s and %s: narrow the range", maxPeriods, period, first.Format(time.DateOnly), last.Format(time.DateOnly))
		}
		label := p.label(t)
		r, ok := byLabel[label]
		if !ok {
			r = TimelineRow{Period: label}
		}
		out = append(out, r)
	}
	return out, nil
}

type periodKind struct {
	layout string
	start  func(time.Time) time.Time
	next   func(time.Time) time.Time
}

func periodOf(period string) periodKind {
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	switch period {
	case "week":
		return periodKind{time.DateOnly, func(t time.Time) time.Time {
			d := day(t)
			return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) // back to Monday
		}, func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }}
	case "month":
		return periodKind{"2006-01", func(t time.Time) time.Time {
			return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		}, func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }}
	}
	return periodKind{time.DateOnly, day, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }}
}

func (p periodKind) label(t time.Time) string { return t.Format(p.layout) }

func (p periodKind) parse(label string) time.Time {
	t, _ := time.Parse(p.layout, label)
	return t
}
