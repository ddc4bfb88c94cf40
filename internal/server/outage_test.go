package server_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// outageDomain is a server whose log the test reads.
func outageDomain(t *testing.T, database string) (*swftest.Domain, *swftest.Log) {
	log := &swftest.Log{}
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) {
		c.Database = database
		c.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}))
	return d, log
}

// startRaw starts a run through the wire, with an input of the given size,
// and returns the status and error code of the answer.
func startRaw(d *swftest.Domain, workflowID string, size int) (int, string) {
	t := d.T().(*testing.T)
	t.Helper()
	status, code, _ := postJSON(t, d.Server, "StartWorkflowExecution", fmt.Sprintf(
		`{"domain":"wf","workflowId":%q,"workflowType":{"name":"order","version":"1"},"input":%q}`, workflowID, strings.Repeat("x", size)))
	return status, code
}

// runExists reports whether a run of workflowId was started.
func runExists(d *swftest.Domain, workflowID string) bool {
	t := d.T()
	t.Helper()
	out, err := d.Client.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: aws.String(d.Name),
		StartTimeFilter: swftest.AllTime(), ExecutionFilter: &types.WorkflowExecutionFilter{WorkflowId: aws.String(workflowID)}})
	must(t, err)
	return out.Count > 0
}

// A full disk under SQLite answers ServiceUnavailableException (503) and
// logs why; what was answered 200 is kept, what was answered 503 was not
// stored, and the server works again once there is room.
func TestDiskFullIsServiceUnavailable(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" || os.Getuid() != 0 {
		t.Skip("a full disk is made with a small tmpfs, which needs Linux and root")
	}
	if os.Getenv("OPENSWF_TEST_DATABASE") == "postgres" {
		t.Skip("the disk of an SQLite database")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s): a full disk is not tested", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	d, log := outageDomain(t, filepath.Join(dir, "openswf.db"))
	d.Start("before")

	filler := filepath.Join(dir, "filler")
	fillDisk(t, filler)
	var stored, refused []string
	for i := 0; i < 200 && len(refused) < 3; i++ {
		id := fmt.Sprintf("w%d", i)
		switch status, code := startRaw(d, id, 30000); {
		case status == 200:
			stored = append(stored, id)
		case status == 503 && code == "ServiceUnavailableException":
			refused = append(refused, id)
		default:
			t.Fatalf("starting a run on a full disk: %d %s", status, code)
		}
	}
	if len(refused) == 0 {
		t.Fatalf("%d runs of 30 KB started on a full 4 MB disk", len(stored))
	}
	t.Logf("on the full disk: %d runs started, then %d refused", len(stored), len(refused))
	_, err := d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("sdk"),
		WorkflowType: swftest.WorkflowType("order", "1"), Input: aws.String(strings.Repeat("x", 30000))},
		func(o *swf.Options) { o.RetryMaxAttempts = 1 })
	wantCode(t, err, "ServiceUnavailableException")
	if !strings.Contains(log.String(), "full") {
		t.Errorf("the cause is not logged:\n%s", log)
	}

	must(t, os.Remove(filler))
	d.Start("after")
	for _, id := range append(stored, "before", "after") {
		if !runExists(d, id) {
			t.Errorf("run %s, answered 200, is lost", id)
		}
	}
	for _, id := range append(refused, "sdk") {
		if runExists(d, id) {
			t.Errorf("run %s, answered 503, was started", id)
		}
	}
}

// fillDisk writes path until the file system has no room left.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	fh, err := os.Create(path)
	must(t, err)
	defer fh.Close()
	block := make([]byte, 64<<10)
	for {
		if _, err := fh.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// proxy passes TCP connections to target until it is cut: then it drops
// every connection it passes and refuses new ones, as a database that has
// gone away, until it is restored.
type proxy struct {
	ln     net.Listener
	target string
	down   atomic.Bool
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			c.Close()
			continue
		}
		conn, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[conn] = true, true
		p.mu.Unlock()
		go func() { io.Copy(conn, c); conn.Close() }()
		go func() { io.Copy(c, conn); c.Close() }()
	}
}

// cut drops every connection and refuses new ones.
func (p *proxy) cut() {
	p.down.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// A PostgreSQL database that stops answering answers
// ServiceUnavailableException (503), for reads and writes, and logs why;
// nothing answered 503 was stored, and the server works again, with all
// it had, once the database is back.
func TestDatabaseDownIsServiceUnavailable(t *testing.T) {
	t.Parallel()
	db := swftest.PostgresDatabase(t)
	u, err := url.Parse(db)
	must(t, err)
	p := startProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	d, log := outageDomain(t, u.String())
	d.Start("before")

	p.cut()
	for i := range 3 {
		if status, code := startRaw(d, fmt.Sprintf("down-%d", i), 10); status != 503 || code != "ServiceUnavailableException" {
			t.Fatalf("a write with the database down: %d %s", status, code)
		}
		if status, code, _ := postJSON(t, d.Server, "DescribeDomain", `{"name":"wf"}`); status != 503 || code != "ServiceUnavailableException" {
			t.Fatalf("a read with the database down: %d %s", status, code)
		}
	}
	_, err = d.Client.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(d.Name)}, func(o *swf.Options) { o.RetryMaxAttempts = 1 })
	wantCode(t, err, "ServiceUnavailableException")
	if !strings.Contains(log.String(), `msg="service unavailable"`) {
		t.Errorf("the cause is not logged:\n%s", log)
	}

	p.down.Store(false)
	// The SDK retries a 503: the pool may hand out a connection that died
	// with the outage before it finds a fresh one.
	_, err = d.Client.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(d.Name), WorkflowId: aws.String("after"), WorkflowType: swftest.WorkflowType("order", "1")})
	must(t, err)
	for _, id := range []string{"before", "after"} {
		if !runExists(d, id) {
			t.Errorf("run %s is lost", id)
		}
	}
	for i := range 3 {
		if id := fmt.Sprintf("down-%d", i); runExists(d, id) {
			t.Errorf("run %s, answered 503, was started", id)
		}
	}
}
