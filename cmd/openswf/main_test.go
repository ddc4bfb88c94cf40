package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/server"
)

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"version"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "openswf ") {
		t.Fatalf("version printed %q", out.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"frobnicate"}, &out, &out); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("run(frobnicate) = %v", err)
	}
	if err := run([]string{"serve", "--log-level", "loud"}, &out, &out); err == nil {
		t.Fatal("a bad --log-level was accepted")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve reads its settings from the environment, logs where it listens and
// where the data lives, and shuts down cleanly on SIGTERM.
func TestServeFromEnvironmentAndStopOnSIGTERM(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	db := filepath.Join(t.TempDir(), "data", "swf.db")
	t.Setenv("OPENSWF_LISTEN", addr)
	t.Setenv("OPENSWF_DATABASE", db)
	t.Setenv("OPENSWF_LIMITS", "data-size=40000, max-execution-seconds=63072000")
	t.Setenv("OPENSWF_ALLOWED_HOSTS", "swf.test, other.test")
	t.Setenv("OPENSWF_MAX_CONNECTIONS", "64")

	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run([]string{"serve"}, &logs, &logs) }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("no database at OPENSWF_DATABASE: %v", err)
	}
	if l := logs.String(); !strings.Contains(l, "endpoint=http://"+addr) || !strings.Contains(l, "database="+db) {
		t.Errorf("the start-up log does not say where it listens and where the data is:\n%s", l)
	}

	// OPENSWF_LIMITS reaches the server: a type whose runs may last two
	// years, and an input of 40,000 characters, are accepted; one more
	// character is not.
	for _, c := range []struct {
		op, body string
		status   int
		want     string
	}{
		{"RegisterDomain", `{"name":"d","workflowExecutionRetentionPeriodInDays":"1"}`, 200, ""},
		{"RegisterWorkflowType", `{"domain":"d","name":"long","version":"1","defaultTaskList":{"name":"l"},"defaultExecutionStartToCloseTimeout":"63072000","defaultTaskStartToCloseTimeout":"30","defaultChildPolicy":"TERMINATE"}`, 200, ""},
		{"RegisterWorkflowType", `{"domain":"d","name":"longer","version":"1","defaultExecutionStartToCloseTimeout":"63072001"}`, 400, "ValidationException"},
		{"StartWorkflowExecution", `{"domain":"d","workflowId":"w","workflowType":{"name":"long","version":"1"},"input":"` + strings.Repeat("x", 40001) + `"}`, 400, "'input'"},
		{"StartWorkflowExecution", `{"domain":"d","workflowId":"w","workflowType":{"name":"long","version":"1"},"input":"` + strings.Repeat("x", 40000) + `"}`, 200, `"runId"`},
	} {
		status, body := postSWF(t, addr, c.op, c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s answered %d %s, want %d with %s", c.op, status, body, c.status, c.want)
		}
	}

	// OPENSWF_ALLOWED_HOSTS reaches the server: without a users file only
	// loopback hosts and those are answered.
	for host, want := range map[string]int{"swf.test": 200, "other.test:80": 200, "evil.test": 403} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(`{"registrationStatus":"REGISTERED"}`))
		req.Host = host
		req.Header.Set("X-Amz-Target", "SimpleWorkflowService.ListDomains")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after SIGTERM", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
	if !strings.Contains(logs.String(), "openswf stopped") {
		t.Errorf("no clean-shutdown log:\n%s", logs.String())
	}
}

// postSWF sends a raw SWF request to a server and returns the status and
// the body.
func postSWF(t *testing.T, addr, op, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// serve refuses quotas it cannot read, before it listens.
// serve refuses connection settings that would turn a protection off.
func TestServeRefusesBadConnectionSettings(t *testing.T) {
	for _, args := range [][]string{{"--max-connections", "0"}, {"--body-timeout", "0s"}, {"--idle-timeout", "-1s"}, {"--max-polls", "-1"}} {
		var out bytes.Buffer
		err := run(append([]string{"serve", "--listen", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "x.db")}, args...), &out, &out)
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("serve %v = %v", args, err)
		}
	}
	t.Setenv("OPENSWF_MAX_CONNECTIONS", "many")
	var out bytes.Buffer
	if err := run([]string{"serve"}, &out, &out); err == nil || !strings.Contains(err.Error(), "OPENSWF_MAX_CONNECTIONS") {
		t.Errorf("serve with OPENSWF_MAX_CONNECTIONS=many: %v", err)
	}
}

func TestServeRefusesBadLimits(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"history-events=0", "data-size=big", "open-everything=3"} {
		var out bytes.Buffer
		err := run([]string{"serve", "--listen", "127.0.0.1:0", "--database", filepath.Join(t.TempDir(), "x.db"), "--limits", bad}, &out, &out)
		if err == nil || !strings.Contains(err.Error(), "--limits") {
			t.Errorf("serve --limits %s: %v", bad, err)
		}
	}
}

// serve refuses a users file it cannot use, before it listens.
func TestServeRefusesBadUsersFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "users.json")
	if err := os.WriteFile(bad, []byte(`{"users": [{"name": "a", "accessKeys": [{"accessKeyId": "A", "secretAccessKey": "s"}], "policies": [{"Statement": {"Effect": "Allow", "Action": "swf:*"}}]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.json"), bad} {
		var out bytes.Buffer
		err := run([]string{"serve", "--listen", "127.0.0.1:0", "--database", filepath.Join(dir, "x.db"), "--users", path}, &out, &out)
		if err == nil || !strings.Contains(err.Error(), "--users") {
			t.Errorf("serve --users %s: %v", path, err)
		}
	}
}

// backup copies a database a server is using; the copy serves.
func TestBackupCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	srv, err := server.Start(context.Background(), server.Config{Listen: "127.0.0.1:0", Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	if status, body := postSWF(t, srv.Addr().String(), "RegisterDomain", `{"name":"kept","workflowExecutionRetentionPeriodInDays":"1"}`); status != 200 {
		t.Fatalf("RegisterDomain: %d %s", status, body)
	}
	var out bytes.Buffer
	copyPath := filepath.Join(dir, "copy.db")
	if err := run([]string{"backup", "--database", db, copyPath}, &out, &out); err != nil {
		t.Fatalf("backup: %v\n%s", err, out.String())
	}
	if err := run([]string{"backup", "--database", db, copyPath}, &out, &out); err == nil {
		t.Error("backup overwrote a file")
	}
	if fi, err := os.Stat(copyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the backup's mode: %v %v, want 0600", fi.Mode().Perm(), err)
	}
	if err := run([]string{"backup", "--database", "postgres://localhost/x", filepath.Join(dir, "pg")}, &out, &out); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup of PostgreSQL: %v", err)
	}
	restored, err := server.Start(context.Background(), server.Config{Listen: "127.0.0.1:0", Database: copyPath})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Shutdown(context.Background())
	if status, body := postSWF(t, restored.Addr().String(), "DescribeDomain", `{"name":"kept"}`); status != 200 || !strings.Contains(body, `"kept"`) {
		t.Fatalf("the copy does not hold the domain: %d %s", status, body)
	}
}

// A users file others may read is warned of; a private one is not.
func TestWarnReadableUsersFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	warnReadable(logger, path)
	if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "chmod 600") || !strings.Contains(l, "-rw-r--r--") {
		t.Errorf("no warning for a 0644 users file:\n%s", l)
	}
	logs.Reset()
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	warnReadable(logger, path)
	if logs.Len() != 0 {
		t.Errorf("a warning for a 0600 users file:\n%s", logs.String())
	}
}
