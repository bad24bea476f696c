// Package backfill reads history into the store: the pages of WARC files
// (web archives, CC-NEWS, an organisation's own crawls), each run through
// the prefilter and, when it can hold evidence, through the ingest
// pipeline's extraction, matching, dedupe and storage.
//
// It is resumable: per WARC file a checkpoint in the database holds the
// byte offset of the first record not yet finished. Articles are committed
// before a checkpoint passes them, so after SIGINT or SIGKILL the same run
// again reads at most the records in flight a second time, finds their
// articles stored, and stores nothing twice.
package backfill

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/charset"
	"github.com/claimwatch/claimwatch/internal/ingest"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/prefilter"
	"github.com/claimwatch/claimwatch/internal/warc"
	"github.com/claimwatch/claimwatch/storage"
)

// DefaultSource is the source name stored on backfilled articles.
const DefaultSource = "backfill"

// checkpointEvery is how often a file's progress is written down.
const checkpointEvery = time.Second

// Options configure a backfill.
type Options struct {
	Store    *storage.Store
	Pipeline *ingest.Pipeline // Store and Matcher set; extraction and storage go through it
	Matcher  *matcher.Matcher
	// Source is the source name stored on the articles (DefaultSource if
	// empty).
	Source string
	// StoreAll keeps every page, evidence or not; the prefilter is then
	// not asked, since every page is extracted anyway.
	StoreAll bool
	// NoPrefilter extracts and matches every page (to compare, and to
	// check the prefilter loses nothing).
	NoPrefilter bool
	// Claims, when set, narrows the backfill to these claim ids: only
	// their searches run and only pages that can hold their terms pass the
	// prefilter. A page that passes is matched against every claim, so a
	// stored article's record is whole.
	Claims  []string
	Workers int
	HTTP    *http.Client // for WARC files given by URL
	Log     *slog.Logger
	// Progress, when set, is called about once a second and at the end.
	Progress func(Stats)
}

// Stats count what a backfill did. Counts are of this run: records read
// again after a resume count again.
type Stats struct {
	Files, FilesDone, FilesFailed int
	Records                       int64 // pages read (records that are pages)
	Ignored                       int64 // records that are not pages (requests, redirects, media)
	Skipped                       int64 // broken records, skipped with a logged reason
	Candidates                    int64 // pages the prefilter let through
	Known                         int64 // pages already stored
	Stored                        int64 // articles stored (new)
	Evidence                      int64 // new evidence
	Failed                        int64 // pages that could not be extracted or stored
	Bytes                         int64 // payload bytes read
	// Offset and Size: compressed bytes read and total, over the files
	// that could be sized, for an ETA; Resumed of Offset were read by an
	// earlier run (checkpointed), so they do not count toward the rate.
	Offset, Size, Resumed int64
	Elapsed               time.Duration
}

// ETA estimates the time left from the rate so far: by bytes over WARC
// files that could be sized, else by inputs (search windows, sitemaps)
// finished. ok is false until there is a rate to go by.
func (s Stats) ETA() (left time.Duration, ok bool) {
	switch {
	case s.Size > 0 && s.Offset > s.Resumed && s.Offset <= s.Size:
		rate := float64(s.Offset-s.Resumed) / s.Elapsed.Seconds()
		return time.Duration(float64(s.Size-s.Offset) / rate * float64(time.Second)), rate > 0
	case s.Size == 0 && s.FilesDone+s.FilesFailed > 0 && s.Files >= s.FilesDone+s.FilesFailed:
		done := s.FilesDone + s.FilesFailed
		return time.Duration(float64(s.Elapsed) * float64(s.Files-done) / float64(done)), true
	}
	return 0, false
}

type counters struct {
	records, ignored, skipped, candidates, known, stored, evidence, failed, bytes atomic.Int64
	// offset: bytes of the files finished; current: of the file being
	// read; resumed: read before this run.
	offset, current, resumed atomic.Int64
}

// Run backfills the WARC files (paths or http(s) URLs; expand directories
// with warc.Expand first). A file that cannot be read is logged and counted
// in FilesFailed; Run returns an error only when the context ends or the
// store fails.
func Run(ctx context.Context, o Options, files []string) (Stats, error) {
	if o.Source == "" {
		o.Source = DefaultSource
	}
	if o.Workers < 1 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	// The prefilter's matcher is the same for every file: compiled once.
	var fm *matcher.Matcher
	if !o.StoreAll && !o.NoPrefilter {
		var err error
		if fm, err = o.filterMatcher(); err != nil {
			return Stats{}, err
		}
	}
	r := &run{o: o, started: time.Now()}
	r.stats.Files = len(files)
	r.stats.Size = sizeOf(files)
	stop := r.reportEvery(ctx)
	defer stop()
	for _, f := range files {
		if err := r.file(ctx, fm, f); err != nil {
			if ctx.Err() != nil {
				return r.snapshot(), fmt.Errorf("backfill interrupted in %s: %w", f, ctx.Err())
			}
			if errors.Is(err, errStore) {
				return r.snapshot(), err
			}
			o.Log.Error("backfill: file not finished", "file", f, "err", err)
			r.files(0, 0, 1)
			continue
		}
		r.files(0, 1, 0)
	}
	return r.snapshot(), nil
}

// filterMatcher is the matcher the prefilter asks: the claims of
// Options.Claims, else all.
func (o Options) filterMatcher() (*matcher.Matcher, error) {
	if len(o.Claims) == 0 {
		return o.Matcher, nil
	}
	var sub []claims.Claim
	for _, c := range o.Matcher.Claims() {
		if slices.Contains(o.Claims, c.ID) {
			sub = append(sub, c)
		}
	}
	m, err := matcher.Compile(sub)
	if err != nil {
		return nil, fmt.Errorf("backfill: compile the prefilter for claims %v: %w", o.Claims, err)
	}
	return m, nil
}

// wantClaim says whether claim id's searches run.
func (o Options) wantClaim(id string) bool {
	return len(o.Claims) == 0 || slices.Contains(o.Claims, id)
}

// errStore marks failures of the store itself, which end the run.
var errStore = errors.New("store")

type run struct {
	o       Options
	started time.Time
	c       counters
	mu      sync.Mutex
	stats   Stats // Files* and Size; the counters are in c
}

// files adds to the file counts under the lock the progress reporter reads
// them with.
func (r *run) files(added, done, failed int) {
	r.mu.Lock()
	r.stats.Files += added
	r.stats.FilesDone += done
	r.stats.FilesFailed += failed
	r.mu.Unlock()
}

func (r *run) snapshot() Stats {
	r.mu.Lock()
	s := r.stats
	r.mu.Unlock()
	s.Records, s.Ignored, s.Skipped = r.c.records.Load(), r.c.ignored.Load(), r.c.skipped.Load()
	s.Candidates, s.Known, s.Stored = r.c.candidates.Load(), r.c.known.Load(), r.c.stored.Load()
	s.Evidence, s.Failed, s.Bytes = r.c.evidence.Load(), r.c.failed.Load(), r.c.bytes.Load()
	s.Offset, s.Resumed = r.c.offset.Load()+r.c.current.Load(), r.c.resumed.Load()
	s.Elapsed = time.Since(r.started)
	return s
}

func (r *run) reportEvery(ctx context.Context) func() {
	if r.o.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				r.o.Progress(r.snapshot())
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		r.o.Progress(r.snapshot())
	}
}

// job is one page on its way through the workers.
type job struct {
	seq  int
	page warc.Page
}

// file backfills one WARC file from its checkpoint on; fm is the
// prefilter's matcher (nil: no prefilter).
func (r *run) file(ctx context.Context, fm *matcher.Matcher, name string) error {
	cp, err := r.o.Store.Checkpoint(ctx, name)
	if err != nil {
		return fmt.Errorf("%w: %w", errStore, err)
	}
	// Only local files are sized (Stats.Size): a URL's bytes are left out
	// of the ETA.
	size := fileSize(name)
	if cp.Done {
		r.o.Log.Info("backfill: file already done", "file", name)
		r.c.offset.Add(size)
		r.c.resumed.Add(size)
		return nil
	}
	rd, err := warc.Open(ctx, name, cp.Offset, r.o.HTTP)
	if err != nil {
		r.c.offset.Add(size) // nothing more to read there: out of the ETA
		return err
	}
	defer rd.Close()
	sized := size > 0
	if sized {
		r.c.current.Store(cp.Offset)
		r.c.resumed.Add(cp.Offset)
	}
	if cp.Offset > 0 {
		r.o.Log.Info("backfill: resuming", "file", name, "offset", cp.Offset, "records_before", cp.Records)
	}

	tr := newTracker(cp)
	jobs := make(chan job, 2*r.o.Workers)
	work, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for range r.o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var f *prefilter.Filter
			if fm != nil {
				f = prefilter.New(fm)
			}
			for j := range jobs {
				if err := r.page(work, f, j.page); err != nil {
					cancel(err)
					continue // drain; the run ends
				}
				tr.finish(j.seq)
			}
		}()
	}

	// Checkpoints are written from this goroutine's loop, between records.
	lastCP := time.Now()
	save := func(done bool) error {
		cp := tr.checkpoint(name)
		cp.Done = done
		if err := r.o.Store.SaveCheckpoint(context.WithoutCancel(ctx), cp); err != nil {
			return fmt.Errorf("%w: %w", errStore, err)
		}
		return nil
	}
	var readErr error
	seq := 0
read:
	for {
		page, err := rd.Next()
		var skip *warc.SkipError
		switch {
		case errors.Is(err, io.EOF):
			break read
		case errors.As(err, &skip):
			r.c.skipped.Add(1)
			r.o.Log.Warn("backfill: record skipped", "file", name, "offset", skip.Offset, "reason", skip.Reason)
			continue
		case err != nil:
			readErr = err
			break read
		}
		r.c.records.Add(1)
		r.c.bytes.Add(int64(len(page.Body)))
		if sized {
			r.c.current.Store(page.Offset)
		}
		tr.read(seq, page.Offset)
		select {
		case jobs <- job{seq: seq, page: page}:
		case <-work.Done():
			break read
		}
		seq++
		if time.Since(lastCP) >= checkpointEvery {
			if err := save(false); err != nil {
				cancel(err)
				break read
			}
			lastCP = time.Now()
		}
	}
	close(jobs)
	wg.Wait()
	r.c.ignored.Add(int64(rd.Ignored))
	r.c.current.Store(0)
	r.c.offset.Add(size)
	if cause := context.Cause(work); cause != nil && ctx.Err() == nil {
		return cause
	}
	if ctx.Err() != nil {
		// Interrupted: what finished is kept, so the next run carries on.
		if err := save(false); err != nil {
			return err
		}
		return ctx.Err()
	}
	if readErr != nil {
		// The records before the damage are done; the file is not, so a
		// run after the file is repaired or completed reads on from there.
		if err := save(false); err != nil {
			return err
		}
		return readErr
	}
	return save(true)
}

// page runs one page through prefilter, extraction, matching and storage.
// Only a failure of the store itself is returned: a page that cannot be
// extracted is logged and counted.
func (r *run) page(ctx context.Context, f *prefilter.Filter, p warc.Page) error {
	body, _, err := charset.DecodeHTML(p.Body, p.ContentType)
	if err != nil {
		r.c.failed.Add(1)
		r.o.Log.Warn("backfill: page not decoded", "url", p.URL, "err", err)
		return nil
	}
	if f != nil && !f.Page(body) {
		return nil
	}
	r.c.candidates.Add(1)
	res, err := r.o.Pipeline.StoreArchived(ctx, r.o.Source, ingest.Archived{URL: p.URL, Body: body, Captured: p.Date}, r.o.StoreAll)
	return r.count(ctx, p.URL, res, err)
}

// count files a page's outcome; only the store's own failures (and the
// end of the context) are returned.
func (r *run) count(ctx context.Context, url string, res ingest.ArchivedResult, err error) error {
	switch {
	case err != nil && ctx.Err() != nil:
		return err
	case err != nil && isStoreErr(err):
		return fmt.Errorf("%w: %w", errStore, err)
	case err != nil:
		r.c.failed.Add(1)
		r.o.Log.Debug("backfill: page not stored", "url", url, "err", err)
	case res.Known:
		r.c.known.Add(1)
	case res.Stored:
		if res.Saved.New {
			r.c.stored.Add(1)
		}
		r.c.evidence.Add(int64(res.Saved.NewEvidence))
	}
	return nil
}

// isStoreErr tells the store's failures (which end the run) from a page's.
// A full database is one: every page after it would fail the same way,
// and counted as failed they would be checkpointed past and lost.
func isStoreErr(err error) bool {
	return errors.Is(err, storage.ErrClosed) || errors.Is(err, storage.ErrReadOnly) || errors.Is(err, storage.ErrDiskFull)
}

// tracker follows which records of a file are finished, to checkpoint the
// offset of the first that is not.
type tracker struct {
	mu      sync.Mutex
	pending map[int]int64 // records read, not finished: seq → offset
	low     int           // no record before seq low is pending
	next    int           // seq of the next record to read
	last    int64         // offset of the last record read
	resume  int64         // where the file was opened
	records int64         // records finished, this run and before
}

func newTracker(cp storage.Checkpoint) *tracker {
	return &tracker{pending: map[int]int64{}, resume: cp.Offset, records: cp.Records}
}

func (t *tracker) read(seq int, offset int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending[seq], t.next, t.last = offset, seq+1, offset
}

func (t *tracker) finish(seq int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.pending, seq)
	t.records++
}

// checkpoint: resume at the first unfinished record; when every record
// read is finished, at the last one read (the next one's offset is not
// known until it is read): it is read again and found stored.
func (t *tracker) checkpoint(input string) storage.Checkpoint {
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.low < t.next {
		if _, ok := t.pending[t.low]; ok {
			break
		}
		t.low++
	}
	resume := t.resume
	switch {
	case t.low < t.next:
		resume = t.pending[t.low]
	case t.next > 0:
		resume = t.last
	}
	return storage.Checkpoint{Input: input, Offset: resume, Records: t.records}
}

// sizeOf adds up the sizes of the local files (URLs are not asked).
func sizeOf(files []string) int64 {
	var n int64
	for _, f := range files {
		n += fileSize(f)
	}
	return n
}

func fileSize(name string) int64 {
	info, err := os.Stat(name)
	if err != nil {
		return 0
	}
	return info.Size()
}

// Add sums two runs' stats (WARC files and sitemaps of one command).
func (s Stats) Add(o Stats) Stats {
	s.Files += o.Files
	s.FilesDone += o.FilesDone
	s.FilesFailed += o.FilesFailed
	s.Records += o.Records
	s.Ignored += o.Ignored
	s.Skipped += o.Skipped
	s.Candidates += o.Candidates
	s.Known += o.Known
	s.Stored += o.Stored
	s.Evidence += o.Evidence
	s.Failed += o.Failed
	s.Bytes += o.Bytes
	s.Offset += o.Offset
	s.Size += o.Size
	s.Resumed += o.Resumed
	s.Elapsed += o.Elapsed
	return s
}
