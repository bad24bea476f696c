package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/claimwatch/claimwatch/internal/web"
	"github.com/claimwatch/claimwatch/storage"
)

// The dashboard in a real browser: headless Chromium driven through the
// DevTools protocol, over a database filled by a real `run --once` of a
// local feed. CI installs Chromium (.ci/run); without one the test skips.

const hostileHeadline = `<script>alert("feed")</script><img src=x onerror=alert(1)> Russia delivered Su-35 jets to Iran`

// browserFeed is an RSS feed of n items bearing on russia-arms-to-iran, one
// a day back from 2020-02-28, every third one contradicting; the newest
// carries markup and script in its title.
func browserFeed(n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>wire</title>`)
	day := time.Date(2020, 2, 28, 10, 0, 0, 0, time.UTC)
	for i := range n {
		title := fmt.Sprintf("Russia delivered Su-35 batch %d to Iran", i)
		desc := fmt.Sprintf("Russia delivered %d Su-35 fighter jets to Iran on Monday, officials in Tehran said.", i+2)
		if i%3 == 1 {
			title = fmt.Sprintf("Russia halted S-400 shipment %d to Iran", i)
			desc = fmt.Sprintf("Russia halted the delivery of S-400 batteries to Iran, lot %d, citing payment problems.", i)
		}
		if i == 0 {
			// Entity-escaped markup, as feeds carry it: it survives the
			// feed reader's tag stripping as literal text.
			title = html.EscapeString(hostileHeadline)
		}
		fmt.Fprintf(&b, "<item><title>%s</title><link>http://outlet%d.example/a/%d</link><pubDate>%s</pubDate><description>%s</description></item>",
			xmlEscape(title), i%5, i, day.AddDate(0, 0, -i).Format(time.RFC1123Z), xmlEscape(desc))
	}
	// A few items for the other claims, so the board is not one claim alone.
	for i, sentence := range otherClaimSentences {
		for k := range 3 {
			fmt.Fprintf(&b, "<item><title>%s</title><link>http://outlet%d.example/o/%d-%d</link><pubDate>%s</pubDate><description>%s</description></item>",
				xmlEscape(sentence[:40]), k, i, k, day.AddDate(0, 0, -7*i-20*k-3).Format(time.RFC1123Z),
				xmlEscape(fmt.Sprintf("%s (Report %d.)", sentence, k)))
		}
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

var otherClaimSentences = []string{
	"Iran signed a free trade agreement with the Eurasian Economic Union on Monday.",
	"China suspended oil purchases from Iran after US sanctions, and Chinese firms pulled out of Iranian projects.",
	"Russia and Iran agreed to coordinate their Middle East policies on Syria, Foreign Minister Lavrov said in Tehran.",
	"Russia will not allow Iran to obtain nuclear weapons, the Kremlin said.",
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// chromiumPath finds a Chromium or Chrome binary, or "".
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

type browserRig struct {
	url   string
	store *storage.Store
	ctx   context.Context
	shots string // where screenshots go
	// dialogs counts JavaScript dialogs (alert, confirm): feed script that
	// ran would open one.
	dialogs atomic.Int32
	axe     string
}

func newBrowserRig(t *testing.T) *browserRig {
	t.Helper()
	bin := chromiumPath()
	if bin == "" {
		t.Skip("no Chromium found (chromium, chromium-browser, google-chrome): the dashboard's browser tests need one; CI installs it (apt-get install chromium)")
	}
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, browserFeed(60))
	}))
	t.Cleanup(feed.Close)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := runConfig(t, dir, map[string]string{"wire": feed.URL + "/feed.xml"})
	if code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once"); code != 0 {
		t.Fatalf("run --once: exit %d\n%s\n%s", code, out, errOut)
	}
	store, err := storage.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	dash, err := web.New(web.Options{Store: store, DefaultAuthor: "analyst",
		Now: func() time.Time { return time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(dash)
	t.Cleanup(srv.Close)

	rig := &browserRig{url: srv.URL, store: store, shots: os.Getenv("CLAIMWATCH_SCREENSHOTS")}
	if rig.shots == "" {
		rig.shots = t.TempDir()
	}
	axe, err := os.ReadFile(filepath.Join("..", "..", "testdata", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	rig.axe = string(axe)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelTimeout)
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			rig.dialogs.Add(1)
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(false))
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	rig.ctx = ctx
	return rig
}

func (b *browserRig) run(t *testing.T, what string, actions ...chromedp.Action) {
	t.Helper()
	// Each step gets its own deadline, so a failing step fails quickly.
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (b *browserRig) text(t *testing.T, sel string) string {
	t.Helper()
	var s string
	b.run(t, "read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(s)
}

func (b *browserRig) count(t *testing.T, stance string) int {
	t.Helper()
	n, err := strconv.Atoi(b.text(t, `[data-count=`+stance+`]`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitCount waits until the count shown for stance is want.
func (b *browserRig) waitCount(t *testing.T, stance string, want int) {
	t.Helper()
	b.run(t, fmt.Sprintf("%s count becomes %d", stance, want),
		chromedp.Poll(fmt.Sprintf(`document.querySelector("[data-count=%s]").textContent.trim() === "%d"`, stance, want), nil,
			chromedp.WithPollingTimeout(10*time.Second)))
}

// axeCheck runs axe-core in the current page and fails on serious or
// critical violations.
func (b *browserRig) axeCheck(t *testing.T, pageName string) {
	t.Helper()
	var res struct {
		Passes     int      `json:"passes"`
		Violations []string `json:"violations"`
	}
	b.run(t, "axe on "+pageName,
		chromedp.Evaluate(b.axe, nil),
		chromedp.Evaluate(`axe.run(document).then(r => ({passes: r.passes.length, violations: r.violations
			.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => v.id + " (" + v.impact + "): " + v.help + " — " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "))}))`,
			&res, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if res.Passes == 0 {
		t.Errorf("axe on %s checked nothing: is axe.min.js loaded?", pageName)
	}
	found := res.Violations
	for _, v := range found {
		t.Errorf("axe on %s: %s", pageName, v)
	}
}

func TestDashboardInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	b := newBrowserRig(t)
	claimURL := b.url + "/claims/russia-arms-to-iran"

	t.Run("board, follow a claim, screenshots", func(t *testing.T) {
		b.run(t, "open the board", chromedp.Navigate(b.url+"/"), chromedp.WaitVisible(".claim-card", chromedp.ByQuery))
		if got := b.text(t, "#claim-russia-arms-to-iran dd.supports"); got == "0" {
			t.Fatalf("the board shows no supporting evidence for the arms claim")
		}
		b.axeCheck(t, "the board")
		b.run(t, "follow the claim", chromedp.Click(`#claim-russia-arms-to-iran h2 a`, chromedp.ByQuery),
			chromedp.WaitVisible("#counts", chromedp.ByQuery))
		var loc string
		b.run(t, "location", chromedp.Location(&loc))
		if loc != claimURL {
			t.Errorf("followed to %s", loc)
		}
		b.axeCheck(t, "a claim page")
	})

	t.Run("the script title is text and runs nothing", func(t *testing.T) {
		var hasText bool
		var imgs int
		b.run(t, "board", chromedp.Navigate(b.url+"/"), chromedp.WaitVisible(".claim-card", chromedp.ByQuery),
			chromedp.Evaluate(`document.body.textContent.includes('<script>alert("feed")</script><img src=x onerror=alert(1)>')`, &hasText),
			chromedp.Evaluate(`document.querySelectorAll("main img, main script").length`, &imgs))
		if !hasText || imgs != 0 {
			t.Errorf("hostile title: shown as text %v, img/script elements %d", hasText, imgs)
		}
		b.run(t, "claim page", chromedp.Navigate(claimURL), chromedp.WaitVisible("#counts", chromedp.ByQuery), chromedp.Sleep(200*time.Millisecond))
		if n := b.dialogs.Load(); n != 0 {
			t.Errorf("%d dialogs opened: feed script ran", n)
		}
	})

	t.Run("review in place changes the counts", func(t *testing.T) {
		b.run(t, "claim page", chromedp.Navigate(claimURL), chromedp.WaitVisible("#counts", chromedp.ByQuery))
		sup, con := b.count(t, "supports"), b.count(t, "contradicts")
		var machine string
		b.run(t, "first item's stance", chromedp.Text(`.ev:first-child .ev-stance .stance`, &machine, chromedp.ByQuery))
		if machine != "supports" {
			t.Fatalf("the newest item is %s, want supports", machine)
		}
		b.run(t, "review as contradicts", chromedp.SetValue(`.ev:first-child input[name=note]`, "reads as a halt", chromedp.ByQuery),
			chromedp.Click(`.ev:first-child button.contradicts`, chromedp.ByQuery))
		b.waitCount(t, "supports", sup-1)
		b.waitCount(t, "contradicts", con+1)
		if got := b.text(t, `.ev:first-child [data-role=analyst]`); got != "contradicts" {
			t.Errorf("analyst stance shown %q", got)
		}
		var loc string
		b.run(t, "location", chromedp.Location(&loc))
		if loc != claimURL {
			t.Errorf("the page moved to %s: not in place", loc)
		}
		rows, _ := b.store.ListEvidence(context.Background(), storage.EvidenceFilter{ClaimID: "russia-arms-to-iran", Limit: 1})
		if len(rows) != 1 || rows[0].ReviewAuthor != "analyst" || rows[0].ReviewNote != "reads as a halt" {
			t.Errorf("stored review %+v", rows)
		}
	})

	t.Run("keyboard-only review", func(t *testing.T) {
		b.run(t, "claim page", chromedp.Navigate(claimURL), chromedp.WaitVisible("#counts", chromedp.ByQuery))
		men := b.count(t, "mentions")
		var second, third string
		b.run(t, "ids", chromedp.AttributeValue(`.ev:nth-child(2)`, "data-id", &second, nil, chromedp.ByQuery),
			chromedp.AttributeValue(`.ev:nth-child(3)`, "data-id", &third, nil, chromedp.ByQuery))
		// j j k j: first, second, first, second; then m reviews the second.
		b.run(t, "keys", chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("k"), chromedp.KeyEvent("j"))
		var focused string
		b.run(t, "focus", chromedp.Evaluate(`document.activeElement.dataset.id || ""`, &focused))
		if focused != second {
			t.Fatalf("focus on %q after j j k j, want the second item %s", focused, second)
		}
		b.run(t, "m", chromedp.KeyEvent("m"))
		b.waitCount(t, "mentions", men+1)
		b.run(t, "? opens the help", chromedp.KeyEvent("?"), chromedp.WaitVisible("#help", chromedp.ByQuery),
			chromedp.KeyEvent("?"), chromedp.WaitNotVisible("#help", chromedp.ByQuery))
		row, err := b.store.Evidence(context.Background(), mustInt(t, second))
		if err != nil || row.Stance != "mentions" {
			t.Errorf("keyboard review stored %+v, %v", row.Stance, err)
		}
	})

	t.Run("set a verdict and see the history", func(t *testing.T) {
		b.run(t, "verdict", chromedp.Navigate(claimURL), chromedp.WaitVisible("#v-note", chromedp.ByQuery),
			chromedp.SetValue("#v-verdict", "developing", chromedp.ByQuery),
			chromedp.SendKeys("#v-note", "Su-35 deliveries reported", chromedp.ByQuery),
			chromedp.Click(".verdict-form button", chromedp.ByQuery),
			chromedp.WaitVisible("table.history", chromedp.ByQuery))
		hist := b.text(t, "table.history tbody")
		if !strings.Contains(hist, "developing") || !strings.Contains(hist, "Su-35 deliveries reported") || !strings.Contains(hist, "analyst") {
			t.Errorf("history %q", hist)
		}
		if got := b.text(t, "#verdict-h .badge"); got != "developing" {
			t.Errorf("verdict badge %q", got)
		}
	})

	t.Run("filter and page forward", func(t *testing.T) {
		b.run(t, "filter", chromedp.Navigate(claimURL), chromedp.WaitVisible("#e-stance", chromedp.ByQuery),
			chromedp.SetValue("#e-stance", "contradicts", chromedp.ByQuery),
			chromedp.Click(`form.filters button[type=submit]`, chromedp.NodeVisible, chromedp.ByQuery),
			waitLoaded(`location.search.includes("stance=contradicts")`))
		var stances []string
		b.run(t, "stances", chromedp.Evaluate(`Array.from(document.querySelectorAll(".ev [data-role=analyst], .ev .ev-stance .stance:first-child")).map(e => e.textContent.trim())`, &stances))
		var loc string
		b.run(t, "location", chromedp.Location(&loc))
		if !strings.Contains(loc, "stance=contradicts") || len(stances) == 0 {
			t.Fatalf("filter: %s, %d items", loc, len(stances))
		}
		var effective []string
		b.run(t, "effective", chromedp.Evaluate(`Array.from(document.querySelectorAll(".ev")).map(e => {
			const a = e.querySelector("[data-role=analyst]").textContent.trim();
			return a === "not reviewed" ? e.querySelector(".ev-stance .stance").textContent.trim() : a; })`, &effective))
		for _, s := range effective {
			if s != "contradicts" {
				t.Errorf("filtered list shows a %s item", s)
			}
		}
		var firstIDs, nextIDs []string
		ids := `Array.from(document.querySelectorAll(".ev")).map(e => e.dataset.id)`
		b.run(t, "page forward", chromedp.Navigate(claimURL), chromedp.WaitVisible("#next-page", chromedp.ByQuery),
			chromedp.Evaluate(ids, &firstIDs), chromedp.Click("#next-page", chromedp.ByQuery),
			waitLoaded(`location.search.includes("after=")`), chromedp.Evaluate(ids, &nextIDs))
		seen := map[string]bool{}
		for _, id := range firstIDs {
			seen[id] = true
		}
		for _, id := range nextIDs {
			if seen[id] {
				t.Errorf("item %s on both pages", id)
			}
		}
		if len(firstIDs) != 25 || len(nextIDs) == 0 {
			t.Errorf("page 1 %v, page 2 %v", firstIDs, nextIDs)
		}
		b.axeCheck(t, "page 2 of the evidence")
	})

	t.Run("search", func(t *testing.T) {
		b.run(t, "search", chromedp.Navigate(b.url+"/search"), chromedp.WaitVisible("#q", chromedp.ByQuery),
			chromedp.SendKeys("#q", "halted", chromedp.ByQuery), chromedp.Click("main form button", chromedp.ByQuery),
			waitLoaded(`location.search.startsWith("?q=halted")`), chromedp.WaitVisible("ol.hits mark", chromedp.ByQuery))
		if got := b.text(t, "ol.hits li:first-child"); !strings.Contains(got, "halted") {
			t.Errorf("first hit %q", got)
		}
		b.axeCheck(t, "search results")
		b.run(t, "bad query", chromedp.Navigate(b.url+`/search?q=%22S-400`), chromedp.WaitVisible(".problem", chromedp.ByQuery))
		for _, p := range []string{"/sources", "/articles/1"} {
			b.run(t, p, chromedp.Navigate(b.url+p), chromedp.WaitVisible("h1", chromedp.ByQuery))
			b.axeCheck(t, p)
		}
	})

	t.Run("download the CSV and read it back", func(t *testing.T) {
		dl := t.TempDir()
		b.run(t, "download", browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dl),
			chromedp.Navigate(claimURL+"?stance=contradicts"), chromedp.WaitVisible("#evidence-h", chromedp.ByQuery),
			chromedp.Click(`a[href*="/evidence/csv"]`, chromedp.ByQuery))
		file := filepath.Join(dl, "russia-arms-to-iran-evidence.csv")
		var data []byte
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if d, err := os.ReadFile(file); err == nil && len(d) > 0 {
				data = d
				break
			}
		}
		recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
		if err != nil || len(recs) < 2 || recs[0][0] != "evidence_id" {
			t.Fatalf("downloaded CSV: %d records, %v", len(recs), err)
		}
		want, _ := b.store.ListEvidence(context.Background(), storage.EvidenceFilter{ClaimID: "russia-arms-to-iran", Stance: "contradicts"})
		if len(recs)-1 != len(want) {
			t.Errorf("CSV has %d rows, the filtered list %d", len(recs)-1, len(want))
		}
		for _, r := range recs[1:] {
			if r[3] != "contradicts" {
				t.Errorf("CSV row %v", r[:4])
			}
		}
	})

	t.Run("375 px wide: no horizontal scrolling", func(t *testing.T) {
		for _, p := range []string{"/", "/claims/russia-arms-to-iran", "/sources", "/search?q=Iran"} {
			var overflow bool
			b.run(t, p, chromedp.EmulateViewport(375, 740), chromedp.Navigate(b.url+p), chromedp.WaitVisible("h1", chromedp.ByQuery),
				chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow))
			if overflow {
				var sw int
				chromedp.Run(b.ctx, chromedp.Evaluate(`document.documentElement.scrollWidth`, &sw))
				t.Errorf("%s scrolls sideways at 375 px (%d px wide)", p, sw)
			}
		}
	})

	// Screenshots last, when the claim has reviews and a verdict (for the
	// README: CLAIMWATCH_SCREENSHOTS=docs go test -run TestDashboardInABrowser ./cmd/claimwatch).
	t.Run("screenshots", func(t *testing.T) {
		var board, claim []byte
		b.run(t, "screenshots", chromedp.EmulateViewport(1280, 1000),
			chromedp.Navigate(b.url+"/"), chromedp.WaitVisible(".claim-card", chromedp.ByQuery), chromedp.CaptureScreenshot(&board),
			chromedp.Navigate(claimURL), chromedp.WaitVisible("#counts", chromedp.ByQuery), chromedp.CaptureScreenshot(&claim))
		writeShot(t, filepath.Join(b.shots, "dashboard-board.png"), board)
		writeShot(t, filepath.Join(b.shots, "dashboard-claim.png"), claim)
	})
}

// waitLoaded waits until cond holds in a fully loaded page: after a click
// that navigates, the old page must not be read.
// Evaluation errors while the old page goes away are expected and retried.
func waitLoaded(cond string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var ok bool
			err := chromedp.Evaluate(`document.readyState === "complete" && (`+cond+`)`, &ok).Do(ctx)
			if err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w (last error %v)", cond, ctx.Err(), err)
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func writeShot(t *testing.T, path string, png []byte) {
	t.Helper()
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
