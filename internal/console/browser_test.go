package console_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/chromedp/chromedp"

	"github.com/openswf/openswf/internal/swftest"
)

// chromium finds a Chromium or Chrome to drive: OPENSWF_TEST_CHROMIUM, or
// one on the PATH. Without one, the test skips.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("OPENSWF_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on the PATH (apt-get install chromium, or set OPENSWF_TEST_CHROMIUM): the console's browser tests skip")
	return ""
}

// headless is the one headless Chromium of the package's tests, started by
// the first test that needs it (starting one took as long as a test) and
// stopped by TestMain.
var headless struct {
	once    sync.Once
	ctx     context.Context
	err     error
	stop    func()
	dataDir string
}

// TestMain stops the shared browser once the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if headless.stop != nil {
		headless.stop()
	}
	os.Exit(code)
}

// newChromium returns a tab of the package's headless browser (a fresh
// profile, no network of its own: this machine may have none), in a
// browser context of its own: no cookies or storage shared with another
// test's tab. The tab closes when the test ends.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	headless.once.Do(func() { startBrowser(path) })
	if headless.err != nil {
		t.Fatalf("start %s: %v", path, headless.err)
	}
	tab, cancelTab := chromedp.NewContext(headless.ctx, chromedp.WithNewBrowserContext())
	tctx, cancelTimeout := context.WithTimeout(tab, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelTab() })
	if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("open a tab of %s: %v", path, err)
	}
	return tctx
}

// startBrowser starts the package's browser; a failure is headless.err.
func startBrowser(path string) {
	headless.dataDir, headless.err = os.MkdirTemp("", "openswf-chromium-")
	if headless.err != nil {
		return
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(headless.dataDir), chromedp.WindowSize(1400, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	headless.ctx = bctx
	headless.stop = func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(headless.dataDir) }
	// Do with no actions starts the browser.
	headless.err = chromedp.Do(bctx)
}

// artifacts is where screenshots go: OPENSWF_TEST_ARTIFACTS, or a
// directory under the system's temporary one (never the repository).
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("OPENSWF_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "openswf-test-artifacts")
	}
	dir = filepath.Join(dir, "console")
	must(t, os.MkdirAll(dir, 0o755))
	return dir
}

// screenshot saves the whole page as name.png among the artifacts.
func screenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	must(t, err)
	path := filepath.Join(artifacts(t), name+".png")
	must(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
}

// text is the text of the first element the selector matches.
func text(t *testing.T, tab context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
	must(t, err)
	return s
}

// signInWith fills in the sign-in form the browser is on.
func signInWith(t *testing.T, tab context.Context, id, secret string) {
	t.Helper()
	must(t, chromedp.Do(tab,
		chromedp.WaitVisible(chromedp.CSS("#accessKeyId")),
		chromedp.SendKeys(chromedp.CSS("#accessKeyId"), id),
		chromedp.SendKeys(chromedp.CSS("#secretAccessKey"), secret),
		chromedp.Click(chromedp.CSS("form.signin button")),
		chromedp.WaitNotPresent(chromedp.CSS("form.signin")),
	))
}

// TestBrowserStuckActivity is the operator's path in a real browser: sign
// in, and from the domain list reach a stuck activity's last heartbeat
// details in two clicks; a viewer's terminate is refused; the operator
// terminates it with a third click and a confirmation.
func TestBrowserStuckActivity(t *testing.T) {
	t.Parallel()
	tab := newChromium(t)
	s := actionServer(t)
	st := startStuck(t, s)
	registerDomain(t, s.Client, "public", "")

	// Signed out, the console asks to sign in; the viewer may not act.
	must(t, chromedp.Do(tab, chromedp.Navigate(s.URL()+"/console/")))
	screenshot(t, tab, "signin")
	signInWith(t, tab, "AKIDVIEWER", "viewer-secret-0123456789")
	must(t, chromedp.Do(tab, chromedp.Navigate(s.URL()+strings.Replace(st.execURL, "/execution?", "/action?op=terminate&", 1)),
		chromedp.Click(chromedp.CSS("form.action button")), chromedp.WaitVisible(chromedp.CSS("p.error"))))
	if msg := text(t, tab, "p.error"); !strings.Contains(msg, "not authorized") {
		t.Errorf("the viewer's terminate: %q", msg)
	}
	must(t, chromedp.Do(tab, chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.CSS("form.signin"))))

	// The operator: domains → the domain (1) → the execution (2).
	signInWith(t, tab, swftest.AccessKeyID, swftest.SecretAccessKey)
	screenshot(t, tab, "domains")
	must(t, chromedp.Do(tab, chromedp.Click(chromedp.CSS(`a[href="/console/domains/ops"]`)), chromedp.WaitVisible(chromedp.CSS("#open"))))
	screenshot(t, tab, "domain")
	must(t, chromedp.Do(tab, chromedp.Navigate(s.URL()+"/console/domains/ops/tasklists"), chromedp.WaitVisible(chromedp.CSS("h1"))))
	screenshot(t, tab, "tasklists")
	must(t, chromedp.Do(tab, chromedp.Navigate(s.URL()+"/console/domains/ops"), chromedp.WaitVisible(chromedp.CSS("#open"))))
	must(t, chromedp.Do(tab, chromedp.Click(chromedp.CSS(`#open + table a[href*="workflowId=backup-2026"]`)), chromedp.WaitVisible(chromedp.CSS("#running"))))
	running := text(t, tab, "#running")
	for _, want := range []string{"copy-1", "worker-7", `"copied": 4096`, "HEARTBEAT", "left"} {
		if !strings.Contains(running, want) {
			t.Errorf("the running work does not show %q:\n%s", want, running)
		}
	}
	screenshot(t, tab, "execution")

	// One more heartbeat: its details are what the page shows next.
	_, err := s.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: st.token, Details: aws.String(`{"copied":8192}`)})
	must(t, err)
	must(t, chromedp.Do(tab, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#running"))))
	if running := text(t, tab, "#running"); !strings.Contains(running, `"copied": 8192`) {
		t.Errorf("after a heartbeat, the running work shows:\n%s", running)
	}

	// Terminate (3), confirmed.
	must(t, chromedp.Do(tab, chromedp.Click(chromedp.CSS(`.actions a.danger[href*="op=terminate"]`)), chromedp.WaitVisible(chromedp.CSS("form.action")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "stuck copying")))
	screenshot(t, tab, "terminate")
	must(t, chromedp.Do(tab, chromedp.Click(chromedp.CSS("form.action button")), chromedp.WaitVisible(chromedp.CSS("#history"))))
	if h1 := text(t, tab, "h1"); !strings.Contains(h1, "TERMINATED") {
		t.Errorf("after terminating, the page says %q", h1)
	}
	screenshot(t, tab, "terminated")
}

// TestBrowserFindExecutions filters the executions in a browser, and
// opens a run from its workflowId alone.
func TestBrowserFindExecutions(t *testing.T) {
	t.Parallel()
	tab := newChromium(t)
	w := newWorld(t)
	must(t, chromedp.Do(tab, chromedp.Navigate(w.URL()+"/console/domains/shop"),
		chromedp.SendKeys(chromedp.CSS(`form.filter input[name="tag"]`), "team=web @ops"),
		chromedp.Click(chromedp.CSS(`form.filter button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.filter a[href="/console/domains/shop"]`))))
	loc := location(t, tab)
	open := text(t, tab, "#open + table")
	if !strings.Contains(loc, "tag=team%3Dweb") || !strings.Contains(open, "team=web @ops") || strings.Contains(open, "kid-1") {
		t.Errorf("filtered by tag (%s), the open executions are:\n%s", loc, open)
	}
	screenshot(t, tab, "domain-filtered")

	must(t, chromedp.Do(tab, chromedp.Navigate(w.URL()+"/console/domains/shop"),
		chromedp.SendKeys(chromedp.CSS(`form.open-run input[name="workflowId"]`), "order-42"),
		chromedp.Click(chromedp.CSS(`form.open-run button`)),
		chromedp.WaitVisible(chromedp.CSS("#history"))))
	loc = location(t, tab)
	if !strings.Contains(loc, "runId="+aws.ToString(w.done.RunId)) || !strings.Contains(text(t, tab, "h1"), "COMPLETED") {
		t.Errorf("opened by workflowId: %s", loc)
	}
	screenshot(t, tab, "execution-completed")
	must(t, chromedp.Do(tab, chromedp.Click(chromedp.CSS(`a[href*="view=compact"]`)), chromedp.WaitVisible(chromedp.CSS("#history"))))
	screenshot(t, tab, "history-compact")
}

// location is the URL the browser is on.
func location(t *testing.T, tab context.Context) string {
	t.Helper()
	loc, err := chromedp.Run(tab, chromedp.Location())
	must(t, err)
	return loc
}

// TestBrowserArchivedHistory: after its retention, a run's history is
// reached from the domain list through the domain's archived runs.
func TestBrowserArchivedHistory(t *testing.T) {
	t.Parallel()
	tab := newChromium(t)
	s := archiveServer(t, false, nil)
	ex := archivedWorld(t, s, 0)
	must(t, chromedp.Do(tab, chromedp.Navigate(s.URL()+"/console/"),
		chromedp.Click(chromedp.CSS(`a[href="/console/domains/arch"]`)), chromedp.WaitVisible(chromedp.CSS("#open")),
		chromedp.Click(chromedp.CSS(`a[href="/console/domains/arch/archived"]`)), chromedp.WaitVisible(chromedp.CSS("table.archived")),
	))
	screenshot(t, tab, "archived")
	must(t, chromedp.Do(tab, chromedp.Click(chromedp.CSS(`table.archived a[href*="workflowId=order-7"]`)), chromedp.WaitVisible(chromedp.CSS("#history"))))
	if loc := location(t, tab); !strings.Contains(loc, "/archived/execution?") || !strings.Contains(loc, "runId="+aws.ToString(ex.RunId)) {
		t.Errorf("the archived run is at %s", loc)
	}
	if h := text(t, tab, "table.history"); !strings.Contains(h, "WorkflowExecutionCompleted") || !strings.Contains(h, `"shipped": true`) {
		t.Errorf("the archived history:\n%s", h)
	}
	if note := text(t, tab, "p.archived"); !strings.Contains(note, "archive") {
		t.Errorf("the archived run's page says %q", note)
	}
	screenshot(t, tab, "archived-execution")
}
