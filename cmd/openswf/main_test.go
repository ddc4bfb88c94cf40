package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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
