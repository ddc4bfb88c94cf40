package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/sigv4"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/wire"
)

// The IAM actions that guard the development endpoints when the server has
// a users file. They are openswf's own (no AWS service has them), so a
// policy must name them: "swf:*" does not grant them.
const (
	ActionAdvanceClock = "openswf:AdvanceClock"
	ActionReset        = "openswf:Reset"
)

// Paths of the development endpoints.
const (
	ClockPath     = "/openswf/clock"
	ResetPath     = "/openswf/reset"
	MotoResetPath = "/moto-api/reset" // moto server's, for suites written for it
)

// errClockGoesBack refuses to move a manual clock into its past: what has
// fired cannot be unfired.
var errClockGoesBack = errors.New("the clock never goes back")

// ErrNotManual is AdvanceClock's answer on a server whose clock is the
// wall clock.
var ErrNotManual = errors.New("the server's clock is not manual: start it with --clock manual")

// AdvanceClock moves a manual clock to t, firing on the way every timer
// that falls due by then, in the order they fall due, each with the clock
// reading its due time (so a timeout that arms another within the span
// sees that one fire too, and history events carry the times they would
// have had). When it returns, everything due at t has fired.
func (s *Server) AdvanceClock(ctx context.Context, t time.Time) error {
	if s.manual == nil {
		return ErrNotManual
	}
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	if t.Before(s.manual.Now()) {
		return fmt.Errorf("%w: it reads %s, after %s", errClockGoesBack, s.manual.Now().UTC().Format(time.RFC3339Nano), t.UTC().Format(time.RFC3339Nano))
	}
	for {
		due, ok, err := s.engine.NextDue(ctx)
		if err != nil {
			return err
		}
		if !ok || due.After(t) {
			break
		}
		s.manual.Set(due) // a timer already overdue leaves the clock where it is
		if err := s.engine.FireDue(ctx, s.manual.Now()); err != nil {
			return err
		}
	}
	s.manual.Set(t)
	return s.engine.FireDue(ctx, t)
}

// Now is the time on the server's clock.
func (s *Server) Now() time.Time { return s.cfg.Clock.Now() }

// Reset empties the store of a development server: every domain and all it
// holds. It answers an error on a server not started with Dev.
func (s *Server) Reset(ctx context.Context) error {
	if !s.cfg.Dev {
		return errors.New("reset is only for development servers (openswf dev)")
	}
	return s.engine.Reset(ctx)
}

// devRoutes serves the clock and the resets, each counted in m.
func (s *Server) devRoutes(mux *http.ServeMux, m *serverMetrics) {
	mux.Handle("GET "+ClockPath, m.endpoint("GetClock", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.clockState())
	})))
	mux.Handle("POST "+ClockPath, m.endpoint("AdvanceClock", s.admin(ActionAdvanceClock, s.serveClock)))
	reset := m.endpoint("Reset", s.admin(ActionReset, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if !s.cfg.Dev {
			writeJSONError(w, http.StatusNotFound, "ResourceNotFoundException", "reset is only for development servers: start one with 'openswf dev'")
			return
		}
		if err := s.engine.Reset(r.Context()); err != nil {
			s.writeDevFailure(w, r, "reset", "the reset failed; see the server's log", err)
			return
		}
		s.cfg.Logger.Info("reset: the store is empty")
		// moto's server answers its reset with this body.
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}))
	mux.Handle("POST "+ResetPath, reset)
	mux.Handle("POST "+MotoResetPath, reset)
}

// writeDevFailure answers a development endpoint whose work failed with
// err, in the shape of its other errors: an outage of the database is
// ServiceUnavailableException (503, which clients retry), as the API
// answers it, logged as a warning; anything else is InternalFailure (500),
// whose message (internal) says where to look, logged as an error.
func (s *Server) writeDevFailure(w http.ResponseWriter, r *http.Request, what, internal string, err error) {
	f := wire.FaultOf(r.Context(), err)
	switch {
	case f.Outage:
		s.cfg.Logger.Warn("service unavailable", "op", what, "err", err)
	case f.Internal:
		s.cfg.Logger.Error(what, "err", err)
		f.Message = internal
	}
	writeJSONError(w, wire.Status(f.Code), f.Code, f.Message)
}

// clockRequest moves a manual clock: by Advance (a Go duration such as
// "90m", "1h30m", or whole days such as "7d") or to Set (RFC 3339).
type clockRequest struct {
	Advance string `json:"advance,omitempty"`
	Set     string `json:"set,omitempty"`
}

// clockState is what the clock endpoint answers.
type clockState struct {
	Now    string `json:"now"`
	Manual bool   `json:"manual"`
}

func (s *Server) clockState() clockState {
	return clockState{Now: s.cfg.Clock.Now().UTC().Format(time.RFC3339Nano), Manual: s.manual != nil}
}

func (s *Server) serveClock(w http.ResponseWriter, r *http.Request, body []byte) {
	if s.manual == nil {
		writeJSONError(w, http.StatusConflict, "IllegalStateException", ErrNotManual.Error())
		return
	}
	var req clockRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeJSONError(w, http.StatusBadRequest, "SerializationException", "the body must be {\"advance\": \"90m\"} or {\"set\": \"2027-01-01T00:00:00Z\"}: "+err.Error())
		return
	}
	var to time.Time
	switch {
	case (req.Advance == "") == (req.Set == ""):
		writeJSONError(w, http.StatusBadRequest, "ValidationException", "give one of advance (a duration such as \"90m\" or \"7d\") and set (an RFC 3339 time)")
		return
	case req.Advance != "":
		d, err := ParseDuration(req.Advance)
		if err != nil || d < 0 {
			writeJSONError(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf("advance: %q is not a duration of zero or more, such as \"90m\", \"1h30m\" or \"7d\"", req.Advance))
			return
		}
		to = s.manual.Now().Add(d)
	default:
		t, err := time.Parse(time.RFC3339Nano, req.Set)
		if err != nil {
			writeJSONError(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf("set: %q is not an RFC 3339 time such as \"2027-01-01T00:00:00Z\"", req.Set))
			return
		}
		to = t
	}
	if err := s.AdvanceClock(r.Context(), to); err != nil {
		if errors.Is(err, errClockGoesBack) {
			writeJSONError(w, http.StatusBadRequest, "ValidationException", "set: "+err.Error())
			return
		}
		s.writeDevFailure(w, r, "advancing the clock", "firing the timers that fell due failed; see the server's log", err)
		return
	}
	s.cfg.Logger.Info("the manual clock moved", "now", s.manual.Now().UTC().Format(time.RFC3339Nano))
	writeJSON(w, http.StatusOK, s.clockState())
}

// ParseDuration reads a duration as Go writes them ("90m", "1h30m",
// "250ms"), or a whole number of days ("7d").
func ParseDuration(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100_000 {
			return 0, fmt.Errorf("%q is not a whole number of days", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

// admin guards a development endpoint: with a users file, the request must
// be signed (SigV4, as SDKs sign, for the service swf) with X-Amz-Target
// naming the action (OpenSWF.AdvanceClock, OpenSWF.Reset) among the signed
// headers, by a user whose policies allow the action on "*". A secret is
// never sent, so these endpoints offer nothing to guess passwords against.
func (s *Server) admin(action string, next func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	target := AdminTarget(action)
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			writeJSONError(w, http.StatusRequestEntityTooLarge, "SerializationException", "the body is too large")
			return
		}
		if a := s.cfg.Auth; a != nil {
			p, err := a.Authenticate(r, body, time.Now())
			if err != nil {
				code, msg := "AccessDeniedException", err.Error()
				if se, ok := errors.AsType[*sigv4.Error](err); ok {
					code, msg = se.Code, se.Message
				}
				writeJSONError(w, http.StatusForbidden, code, msg)
				return
			}
			if got := r.Header.Get("X-Amz-Target"); got != target {
				writeJSONError(w, http.StatusBadRequest, "UnknownOperationException",
					fmt.Sprintf("X-Amz-Target must be %s for %s, not %q", target, r.URL.Path, got))
				return
			}
			if !a.NewCaller(p, r, time.Now()).Allowed(action, "*", nil) {
				writeJSONError(w, http.StatusForbidden, "AccessDeniedException",
					fmt.Sprintf("User: %s is not authorized to perform: %s", p.ARN, action))
				return
			}
		}
		next(w, r, body)
	}
}

// AdminTarget is the X-Amz-Target a signed request to a development
// endpoint carries for action ("openswf:Reset" → "OpenSWF.Reset").
func AdminTarget(action string) string {
	return "OpenSWF." + strings.TrimPrefix(action, "openswf:")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeJSONError answers an error in the shape AWS's JSON APIs use.
func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	answered(w, code)
	writeJSON(w, status, map[string]string{"__type": code, "message": message})
}

// Service is the server's SWF API, called directly (no wire, no
// authorization): for what the server's own command does at start, such
// as registering the domains of a development server.
func (s *Server) Service() swfapi.Service { return s.engine }

// LocalURL is URL, with an address that means "every interface" (such as
// 0.0.0.0) replaced by the loopback one, so that it can be visited.
func (s *Server) LocalURL() string {
	addr, ok := s.ln.Addr().(*net.TCPAddr)
	if !ok || !addr.IP.IsUnspecified() {
		return s.URL()
	}
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(addr.Port))
}
