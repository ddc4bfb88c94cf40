package main

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
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

	var logs swftest.Log
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

// The version comes from -ldflags, else the module's version, else the
// VCS revision; never "(devel)".
func TestVersionOf(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}
	for _, c := range []struct {
		stamped string
		info    *debug.BuildInfo
		want    string
	}{
		{"v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}}, "v1.2.3"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"}, Settings: rev}, "v0.9.0"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, "devel-0123456789ab-dirty"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev[:1]}, "devel-0123456789ab"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
		{"", nil, "unknown"},
	} {
		if got := versionOf(c.stamped, c.info); got != c.want {
			t.Errorf("versionOf(%q, %+v) = %q, want %q", c.stamped, c.info, got, c.want)
		}
	}
}

// freeAddr returns a loopback address no one listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// openswf dev answers within a second of its start, prints where
// everything is, registers its domain, lets the clock and reset commands
// drive it, and leaves no file behind when it stops.
func TestDevCommand(t *testing.T) {
	addr := freeAddr(t)
	notUsed := filepath.Join(t.TempDir(), "not-used.db")
	t.Setenv("OPENSWF_DATABASE", notUsed) // dev keeps nothing
	var stdout, logs swftest.Log
	done := make(chan error, 1)
	began := time.Now()
	go func() {
		done <- run([]string{"dev", "--listen", addr, "--clock", "manual", "--domain", "demo"}, &stdout, &logs)
	}()
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Since(began) > time.Second {
			t.Fatalf("the dev server did not answer within 1 s: %v\n%s", err, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	url := "http://" + addr
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stdout.String(), "Try it") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	banner := stdout.String()
	for _, want := range []string{url + "\n", url + "/console/", url + "/metrics", url + "/healthz", "openswf clock advance", "openswf wipe", "demo", "aws swf list-domains --registration-status REGISTERED --endpoint-url " + url} {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner does not show %q:\n%s", want, banner)
		}
	}
	if status, body := postSWF(t, addr, "DescribeDomain", `{"name":"demo"}`); status != 200 {
		t.Fatalf("the --domain was not registered: %d %s", status, body)
	}
	tmp := strings.TrimSuffix(strings.TrimSpace(strings.SplitN(strings.SplitAfter(banner, "memory (")[1], ",", 2)[0]), "/openswf.db")
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("the banner names the temporary database %q: %v", tmp, err)
	}

	var out bytes.Buffer
	if err := run([]string{"clock", "--endpoint", url}, &out, &out); err != nil {
		t.Fatalf("openswf clock: %v", err)
	}
	var before struct{ Now time.Time }
	must(t, json.Unmarshal(out.Bytes(), &before))
	out.Reset()
	if err := run([]string{"clock", "advance", "7d", "--endpoint", url}, &out, &out); err != nil {
		t.Fatalf("openswf clock advance 7d: %v", err)
	}
	var after struct{ Now time.Time }
	must(t, json.Unmarshal(out.Bytes(), &after))
	if got := after.Now.Sub(before.Now); got != 7*24*time.Hour {
		t.Errorf("openswf clock advance 7d moved the clock by %v", got)
	}
	if err := run([]string{"clock", "set", "2001-01-01T00:00:00Z", "--endpoint", url}, &out, &out); err == nil || !strings.Contains(err.Error(), "never goes back") {
		t.Errorf("openswf clock set into the past: %v", err)
	}
	if err := run([]string{"wipe", "--endpoint", url}, &out, &out); err != nil {
		t.Fatalf("openswf wipe: %v", err)
	}
	if status, body := postSWF(t, addr, "DescribeDomain", `{"name":"demo"}`); status != 400 || !strings.Contains(body, "UnknownResourceFault") {
		t.Fatalf("the domain outlived the reset: %d %s", status, body)
	}
	if err := run([]string{"healthcheck", "--endpoint", url}, &out, &out); err != nil {
		t.Errorf("openswf healthcheck of a running server: %v", err)
	}

	must(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("dev did not stop after SIGTERM")
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the temporary database outlived the server: %v", err)
	}
	if err := run([]string{"healthcheck", "--endpoint", url}, &out, &out); err == nil {
		t.Error("openswf healthcheck of a stopped server succeeded")
	}
	if _, err := os.Stat(notUsed); !os.IsNotExist(err) {
		t.Errorf("dev used OPENSWF_DATABASE: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The release build is static (CGO_ENABLED=0: no libc, no dynamic loader,
// so it runs on an empty container base) and carries the version it was
// stamped with.
func TestStaticBuild(t *testing.T) {
	if os.Getenv("OPENSWF_TEST_STATIC_BUILD") == "" {
		t.Skip("OPENSWF_TEST_STATIC_BUILD is not set: the static build (minutes of compiling) is not checked; .ci/run sets it")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the static-build check reads ELF: Linux only")
	}
	bin := filepath.Join(t.TempDir(), "openswf")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version=v9.8.7-test", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	must(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary is dynamically linked (%v)", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs %v", libs)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "openswf v9.8.7-test" {
		t.Errorf("openswf version: %q, %v", out, err)
	}
}

// The commands that talk to a server find it where OPENSWF_LISTEN puts it,
// as a container's health check must.
func TestDefaultEndpoint(t *testing.T) {
	for _, c := range []struct{ endpoint, listen, want string }{
		{"", "", "http://127.0.0.1:7930"},
		{"", "0.0.0.0:8000", "http://127.0.0.1:8000"},
		{"", "[::]:8000", "http://127.0.0.1:8000"},
		{"", ":8000", "http://127.0.0.1:8000"},
		{"", "10.1.2.3:8000", "http://10.1.2.3:8000"},
		{"https://swf.example", "0.0.0.0:8000", "https://swf.example"},
	} {
		t.Setenv("OPENSWF_ENDPOINT", c.endpoint)
		t.Setenv("OPENSWF_LISTEN", c.listen)
		if c.listen == "" {
			os.Unsetenv("OPENSWF_LISTEN")
		}
		if got := defaultEndpoint(); got != c.want {
			t.Errorf("OPENSWF_ENDPOINT=%q OPENSWF_LISTEN=%q: %s, want %s", c.endpoint, c.listen, got, c.want)
		}
	}
}
