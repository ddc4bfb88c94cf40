package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/wire"
)

// Defaults of the connection settings: generous for SDK clients (whose
// requests are small and quick, and whose idle connections live 90 s),
// tight enough that slow or idle strangers cannot hold the server.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultBodyTimeout       = wire.DefaultBodyTimeout
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultMaxConnections    = 4096
	DefaultMaxBodyReads      = 128
	DefaultMaxPollsPerUser   = 1000 // as many as one task list takes (Amazon SWF's quota)
)

// limitListener accepts at most n connections open at once: Accept waits
// while n are open (they queue in the kernel's backlog meanwhile).
type limitListener struct {
	net.Listener
	slots chan struct{}
	done  chan struct{}
	once  sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, n), done: make(chan struct{})}
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

// Close stops accepting, also an Accept waiting for a slot.
func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back when it is closed (once).
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// bodyDeadline gives each request BodyTimeout to deliver its body: the
// http.Server's ReadTimeout would also end the wait of long polls (the
// server reads on after the body to notice a client going away), so the
// deadline is set per request, and the API clears it once it has the body.
func bodyDeadline(timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.NewResponseController(w).SetReadDeadline(time.Now().Add(timeout))
		next.ServeHTTP(w, r)
	})
}

// hostCheck, on a server without a users file, answers only requests
// addressed to a loopback name or address, or to one of the allowed hosts:
// otherwise any web page a developer opens could drive their local server
// by DNS rebinding (a name of the attacker's that resolves to 127.0.0.1).
// /healthz and /metrics answer anyone: they hold nothing a page could use.
func hostCheck(allowed []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/metrics" || hostAllowed(r.Host, allowed) {
			next.ServeHTTP(w, r)
			return
		}
		wire.WriteError(w, http.StatusForbidden, "AccessDeniedException", "This openswf server has no users file, so it answers only "+
			"requests addressed to localhost, 127.0.0.1 or [::1], not to "+quoteHost(r.Host)+": name the host with --allowed-hosts, or give --users")
	})
}

// hostAllowed reports whether the Host header names a loopback address, the
// name localhost (or a name under .localhost, which browsers resolve to
// loopback themselves), or one of allowed (host names, compared without
// port and case).
func hostAllowed(host string, allowed []string) bool {
	h := host
	if hp, _, err := net.SplitHostPort(host); err == nil {
		h = hp
	}
	h = strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
	if h == "" {
		return false
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if a.Unmap().IsLoopback() {
			return true
		}
	} else if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	for _, a := range allowed {
		if strings.EqualFold(strings.Trim(a, "[]"), h) {
			return true
		}
	}
	return false
}

func quoteHost(h string) string {
	if h == "" {
		return "no host"
	}
	if len(h) > 100 {
		h = h[:100] + "…"
	}
	return "'" + h + "'"
}
