package console

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/auth"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/workflow"
)

// TestRunningPanelOverdue marks an activity whose deadline has passed,
// and only the timeouts that have.
func TestRunningPanelOverdue(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	started := now.Add(-90 * time.Second)
	w := &engine.RunningWork{Activities: []engine.OpenActivity{{
		ActivityID: "a", ScheduledAt: started, StartedAt: &started, LastHeartbeat: &started,
		Deadlines: []workflow.Deadline{
			{Type: swfapi.ActivityTaskTimeoutTypeHeartbeat, Timeout: 60, At: started.Add(time.Minute)},
			{Type: swfapi.ActivityTaskTimeoutTypeStartToClose, Timeout: 3600, At: started.Add(time.Hour)},
		},
	}, {ActivityID: "b", ScheduledAt: now, Deadlines: []workflow.Deadline{{Type: swfapi.ActivityTaskTimeoutTypeScheduleToStart, Timeout: 5, At: now.Add(5 * time.Second)}}}}}
	p := runningPanelOf("d", w, now, func(int64) string { return "" })
	a, b := p.Activities[0], p.Activities[1]
	if !a.Overdue || !a.Deadlines[0].Overdue || a.Deadlines[0].Left != "overdue by 30s" || a.Deadlines[1].Overdue || a.Deadlines[1].Left != "58m 30s left" {
		t.Errorf("the overdue activity: %+v", a)
	}
	if b.Overdue || b.Deadlines[0].Left != "5s left" || b.Started.Rel != "" || a.Heartbeat.Rel != "1m 30s ago" {
		t.Errorf("the other: %+v / %+v", b, a.Heartbeat)
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 45 * time.Second: "45s", 200 * time.Second: "3m 20s", 3 * time.Hour: "3h", 2*time.Hour + 5*time.Minute + 9*time.Second: "2h 5m",
		76 * time.Hour: "3d 4h", -time.Second: "0s", 90 * time.Minute: "1h 30m",
	} {
		if got := age(d); got != want {
			t.Errorf("age(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/console/domains/x?a=b": "/console/domains/x?a=b", "": "/console/", "https://evil.example/console/": "/console/",
		"//evil.example/console/": "/console/", "/other": "/console/", `/console/\evil`: "/console/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCookieSecure: the console's cookies are Secure over TLS, or when a
// trusted proxy says the client used https, and not otherwise.
func TestCookieSecure(t *testing.T) {
	users, err := auth.New(&auth.File{Users: []auth.User{{Name: "u", AccessKeys: []auth.AccessKey{{AccessKeyID: "AKID", SecretAccessKey: "0123456789abcdef"}}}}}, "us-east-1", "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	users.TrustProxies([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})
	h := New(nil, WithSignIn(users, nil))
	for _, c := range []struct {
		remote, proto string
		tls, secure   bool
	}{
		{"192.0.2.1:1234", "", false, false},
		{"192.0.2.1:1234", "", true, true},
		{"10.1.2.3:1234", "https", false, true},
		{"10.1.2.3:1234", "http", false, false},
		{"192.0.2.1:1234", "https", false, false}, // not a trusted proxy
	} {
		r := httptest.NewRequest(http.MethodGet, "/console/signin", nil)
		r.RemoteAddr = c.remote
		if c.proto != "" {
			r.Header.Set("X-Forwarded-Proto", c.proto)
		}
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		cookie := rec.Header().Get("Set-Cookie")
		if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") || strings.Contains(cookie, "; Secure") != c.secure {
			t.Errorf("%+v: Set-Cookie %q", c, cookie)
		}
	}
}
