package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

// batchRequest builds what SaveArticle hands the writer.
func batchRequest(t *testing.T, a Article, fs ...claims.Finding) *saveRequest {
	t.Helper()
	if err := a.normalize(t0); err != nil {
		t.Fatal(err)
	}
	req := &saveRequest{a: a, now: t0, reply: make(chan saveReply, 1)}
	for _, f := range fs {
		r, err := newEvidenceRow(f)
		if err != nil {
			t.Fatal(err)
		}
		req.findings = append(req.findings, r)
	}
	return req
}

// TestBatchWithAFailingArticle: one article of a batch fails (its second
// finding names an unknown claim, after its article, FTS and first evidence
// rows were written); it alone is rolled back and the others commit, seeing
// each other's writes (dedupe and story grouping inside the batch) but not
// the failed article's.
func TestBatchWithAFailingArticle(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")

	first := article(1, t0)
	sameURL := article(1, t0) // a second copy of the first, in the same batch
	sameURL.Text = "changed"
	bad := article(2, t0)
	afterBad := article(3, t0)
	afterBad.ContentHash = bad.ContentHash // would be a duplicate of bad, had bad been stored
	sameStory := article(4, t0)
	sameStory.SimHash = first.SimHash ^ 1<<20
	batch := []*saveRequest{
		batchRequest(t, first, finding("c1", claims.Supports)),
		batchRequest(t, bad, finding("c1", claims.Supports), finding("missing", claims.Mentions)),
		batchRequest(t, sameURL, finding("c1", claims.Contradicts)),
		batchRequest(t, afterBad, finding("c1", claims.Mentions)),
		batchRequest(t, sameStory),
	}
	s.commitBatch(batch)
	replies := make([]saveReply, len(batch))
	for i, req := range batch {
		replies[i] = <-req.reply
	}

	if err := replies[1].err; err == nil || !strings.Contains(err.Error(), `"missing"`) {
		t.Fatalf("failing article: err = %v, want one naming the unknown claim", err)
	}
	if replies[1].res != (SaveResult{}) {
		t.Errorf("failing article: result %+v, want zero", replies[1].res)
	}
	for _, i := range []int{0, 2, 3, 4} {
		if replies[i].err != nil {
			t.Fatalf("article %d of the batch: %v", i, replies[i].err)
		}
	}
	r0, r2, r3, r4 := replies[0].res, replies[2].res, replies[3].res, replies[4].res
	if !r0.New || r0.NewEvidence != 1 || r0.StoryID != r0.ArticleID {
		t.Errorf("first = %+v", r0)
	}
	if r2.New || r2.ArticleID != r0.ArticleID || r2.DuplicateOf != 0 || r2.NewEvidence != 0 {
		t.Errorf("same URL in the batch = %+v, want the first article, not new", r2)
	}
	if !r3.New || r3.DuplicateOf != 0 || r3.NewEvidence != 1 {
		t.Errorf("content of the failed article = %+v, want a new article", r3)
	}
	if !r4.New || r4.StoryID != r0.ArticleID {
		t.Errorf("near copy in the batch = %+v, want story %d", r4, r0.ArticleID)
	}
	if n := count(t, s, "articles"); n != 3 {
		t.Errorf("%d articles stored, want 3", n)
	}
	if n := count(t, s, "evidence"); n != 2 {
		t.Errorf("%d evidence rows stored, want 2", n)
	}
	if ok, _ := s.HasArticle(ctx, bad.URL); ok {
		t.Error("the failed article is stored")
	}
	ev, err := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ev {
		if e.ArticleID == r0.ArticleID && e.MachineStance != claims.Contradicts {
			t.Errorf("first article's evidence %s, want the batch's later update", e.MachineStance)
		}
	}
	// The full-text index holds exactly the committed articles.
	hits, err := s.Search(ctx, "Russia", SearchOptions{})
	if err != nil || len(hits) != 3 {
		t.Errorf("search: %d hits, %v; want 3", len(hits), err)
	}
	if problems, err := s.Check(ctx); err != nil || len(problems) > 0 {
		t.Errorf("check after a partly failed batch: %v, %v", problems, err)
	}
}

// TestConcurrentSavesExactlyOnce: many goroutines save overlapping articles
// (every URL several times, pairs of URLs with the same content). Whatever
// the batches, each content is stored once, exactly one call reports it New,
// and every other call names it, with DuplicateOf set only under the other URL.
func TestConcurrentSavesExactlyOnce(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	const urls, workers = 24, 8
	mk := func(i int) Article {
		a := article(i, t0)
		a.ContentHash = fmt.Sprintf("content-%d", i%(urls/2)) // URL i and i+12 carry the same text
		a.SimHash = 0
		return a
	}
	type call struct {
		url string
		res SaveResult
	}
	var mu sync.Mutex
	var calls []call
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for k := range urls {
				a := mk((k*5 + w*7) % urls) // every worker in its own order
				r, err := s.SaveArticle(ctx, a, []claims.Finding{finding("c1", claims.Supports)})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				calls = append(calls, call{a.URL, r})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	if n := count(t, s, "articles"); n != urls/2 {
		t.Fatalf("%d articles stored, want %d", n, urls/2)
	}
	if n := count(t, s, "evidence"); n != urls/2 {
		t.Fatalf("%d evidence rows, want %d", n, urls/2)
	}
	stored := map[string]Article{} // content hash → stored article
	for i := range urls / 2 {
		var id int64
		hash := fmt.Sprintf("content-%d", i)
		if err := s.r.QueryRowContext(ctx, `SELECT id FROM articles WHERE content_hash = ?`, hash).Scan(&id); err != nil {
			t.Fatalf("content %s: %v", hash, err)
		}
		a, err := s.Article(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		stored[hash] = a
	}
	news, newEvidence := map[string]int{}, 0
	for _, c := range calls {
		var i int
		fmt.Sscanf(c.url[strings.LastIndex(c.url, "/")+1:], "%d", &i)
		want := stored[mk(i).ContentHash]
		if c.res.ArticleID != want.ID {
			t.Errorf("%s: article %d, want %d", c.url, c.res.ArticleID, want.ID)
		}
		if c.res.New {
			news[want.ContentHash]++
			if c.url != want.URL {
				t.Errorf("%s reported new but %s is stored", c.url, want.URL)
			}
		}
		if dup := c.url != want.URL; dup != (c.res.DuplicateOf == want.ID) || (!dup && c.res.DuplicateOf != 0) {
			t.Errorf("%s: DuplicateOf = %d (stored %s as %d)", c.url, c.res.DuplicateOf, want.URL, want.ID)
		}
		newEvidence += c.res.NewEvidence
	}
	if len(calls) != urls*workers || len(news) != urls/2 || newEvidence != urls/2 {
		t.Fatalf("%d calls, %d contents reported new, %d new evidence; want %d, %d, %d", len(calls), len(news), newEvidence, urls*workers, urls/2, urls/2)
	}
	for h, n := range news {
		if n != 1 {
			t.Errorf("content %s reported new %d times", h, n)
		}
	}
	// Each stored article has its one full-text row, written with its batch.
	if hits, err := s.Search(ctx, "Russia", SearchOptions{}); err != nil || len(hits) != urls/2 {
		t.Errorf("search: %d hits, %v; want %d", len(hits), err, urls/2)
	}
	if problems, err := s.Check(ctx); err != nil || len(problems) > 0 {
		t.Errorf("check: %v, %v", problems, err)
	}
}

// TestSaveArticleCancellation: a call whose context ends while it waits for
// the writer stores nothing and returns the context's error; a call the
// writer has already taken commits even if its context ends meanwhile.
func TestSaveArticleCancellation(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)

	dead, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.SaveArticle(dead, article(1, t0), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before the call: err = %v", err)
	}

	// Hold the only writer connection so the writer stalls in its batch.
	hold, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	waits := s.w.Stats().WaitCount
	takenCtx, cancelTaken := context.WithCancel(ctx)
	taken := make(chan error, 1)
	go func() {
		_, err := s.SaveArticle(takenCtx, article(2, t0), nil)
		taken <- err
	}()
	for s.w.Stats().WaitCount == waits { // the writer took it and waits for the connection
		time.Sleep(time.Millisecond)
	}
	cancelTaken()

	waitingCtx, cancelWaiting := context.WithCancel(ctx)
	waiting := make(chan error, 1)
	go func() {
		_, err := s.SaveArticle(waitingCtx, article(3, t0), nil)
		waiting <- err
	}()
	time.Sleep(20 * time.Millisecond) // let it block on the busy writer (passes either way if not)
	cancelWaiting()
	if err := <-waiting; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled while waiting: err = %v", err)
	}

	hold.Rollback()
	if err := <-taken; err != nil {
		t.Fatalf("cancelled after being taken: err = %v, want it committed", err)
	}
	for n, want := range map[int]bool{1: false, 2: true, 3: false} {
		if ok, _ := s.HasArticle(ctx, article(n, t0).URL); ok != want {
			t.Errorf("article %d stored = %v, want %v", n, ok, want)
		}
	}
}

// TestCloseDrains: calls racing with Close either commit (and are in the
// file afterwards) or fail with ErrClosed; none is lost or half written.
func TestCloseDrains(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	const n = 40
	results := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, results[i] = s.SaveArticle(ctx, article(i, t0), []claims.Finding{finding("c1", claims.Mentions)})
		})
	}
	time.Sleep(time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if _, err := s.SaveArticle(ctx, article(n, t0), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("save after Close: err = %v, want ErrClosed", err)
	}

	re, err := Open(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	for i, err := range results {
		ok, herr := re.HasArticle(ctx, article(i, t0).URL)
		if herr != nil {
			t.Fatal(herr)
		}
		switch {
		case err == nil && !ok:
			t.Errorf("article %d: saved but not in the file", i)
		case err != nil && !errors.Is(err, ErrClosed):
			t.Errorf("article %d: %v", i, err)
		case err != nil && ok:
			t.Errorf("article %d: failed with %v but stored", i, err)
		}
	}
	var articles, evidence int
	re.r.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&articles)
	re.r.QueryRowContext(ctx, `SELECT count(*) FROM evidence`).Scan(&evidence)
	if articles != evidence {
		t.Errorf("%d articles but %d evidence rows: an article was half written", articles, evidence)
	}
}
