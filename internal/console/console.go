// Package console is the web console of an openswf server: HTML pages,
// rendered on the server with no JavaScript, that show an operator what
// the server holds (its domains, their types, executions and task lists,
// each execution's running work and history) and, when enabled, act on
// executions, without writing API calls by hand.
//
// The console reads through swfapi.Service, the same operations the API
// serves (and, for what SWF has no operation for, the engine's
// RunningWork and TaskLists), but it is not the API: it checks no
// signatures. A server with authentication on serves it WithSignIn, so
// that people sign in with an access key and see, and do, only what their
// policies let the API show them and do.
//
// URL scheme (path segments escaped with url.PathEscape, and a segment of
// dots alone as %2E, so that no path cleaning takes it for "." or ".."):
//
//	/console/                                   domains, with their open executions counted
//	/console/signin, /console/signout           the door (with a users file; POST with a CSRF token)
//	/console/domains/{domain}                   a domain: its executions and types
//	    ?workflowId=W | type=T&version=V | tag=G  one filter of both lists, as SWF allows
//	    &open_days=N&open_since=RFC3339         open executions started in the last N days
//	    &status=S&days=N&closed_since=RFC3339   closed executions: close status, closed in the last N days
//	    &open_page=T&open_page_back=T1 T2       a page of open executions (T: the API's nextPageToken;
//	    &closed_page=T&closed_page_back=…       back: the tokens of the pages before it), and of closed
//	    &refresh=N                              reload every N seconds (meta refresh)
//	/console/domains/{domain}/tasklists         the task lists in use, their backlogs and pollers
//	/console/domains/{domain}/execution         one execution: running work, detail and history
//	    ?workflowId=W&runId=R                   which one (without runId: the open or latest run)
//	    &page=T&page_back=…&order=newest        page of its history, oldest (default) or newest first
//	    &view=compact&event=N                   decision task bookkeeping folded; the page holding event N
//	/console/domains/{domain}/history.json      the whole history, as aws swf get-workflow-execution-history prints it
//	/console/domains/{domain}/archived          the runs the archive keeps past retention (with --archive)
//	    ?workflowId=W&page=T&page_back=…         of one workflowId; a page of them
//	/console/domains/{domain}/archived/execution  an archived run, as an execution's page (?workflowId=W&runId=R&…)
//	/console/domains/{domain}/archived/history.json  its whole history, as history.json
//	/console/domains/{domain}/action            ?op=signal|cancel|terminate|rerun&workflowId=W&runId=R,
//	                                            or ?op=reset&…&eventId=N (re-run from that decision):
//	                                            GET confirms, POST (with a CSRF token) acts; WithActions only
package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/swfapi"
)

// Page sizes: executions listed per page (open and closed each) and
// history events shown per page.
const (
	ExecutionPageSize = 25
	HistoryPageSize   = 100
)

// defaultDays is how far back closed executions are listed unless the
// days parameter says otherwise.
const defaultDays = 30

// maxDays bounds the days parameter (100 years; SWF keeps closed runs 90
// days at most).
const maxDays = 36500

// contentSecurityPolicy allows nothing but the inline stylesheet: the
// pages have no scripts, images or frames, so an injection that escaped
// html/template could still run nothing.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'"

//go:embed templates/*.html
var templateFS embed.FS

// pages are the templates, each parsed with the layout: every page
// defines "title" and "content", which the layout places.
var pages = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	for _, name := range []string{"domains", "domain", "execution", "error", "signin", "action", "tasklists", "archived"} {
		m[name] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return m
}()

// Option changes how a console works.
type Option func(*handler)

// WithNow sets the clock the console measures "the last N days" of closed
// executions with. A server passes its own clock, so that the window
// agrees with the close times it records even when that clock is not the
// wall clock (a test server's fake clock). The default is time.Now.
func WithNow(now func() time.Time) Option {
	return func(h *handler) { h.now = now }
}

// New returns the console of svc. It serves the paths under /console/
// (it is given the full path, not one stripped of the prefix), answers
// GET and HEAD, and POST for its forms (each with a CSRF token), and sets
// a Content-Security-Policy that allows no scripts on every answer.
func New(svc swfapi.Service, opts ...Option) http.Handler {
	h := &handler{svc: svc, now: time.Now, mux: http.NewServeMux(), sessions: newSessions(),
		logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range opts {
		o(h)
	}
	get := func(pattern string, f http.HandlerFunc) {
		h.mux.HandleFunc("GET "+pattern, f) // HEAD too
	}
	get("/console/{$}", h.domains)
	get("/console/domains/{domain}", h.domain)
	get("/console/domains/{domain}/execution", h.execution)
	get("/console/domains/{domain}/history.json", h.historyJSON)
	get("/console/domains/{domain}/tasklists", h.taskLists)
	get("/console/domains/{domain}/archived", h.archived)
	get("/console/domains/{domain}/archived/execution", h.archivedExecution)
	get("/console/domains/{domain}/archived/history.json", h.archivedHistoryJSON)
	h.mux.HandleFunc("POST "+signOutPath, h.signOut)
	h.mux.HandleFunc("/console/domains/{domain}/action", h.action)
	h.mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.Header().Set("Allow", "GET, HEAD")
			h.fail(w, r, &pageError{status: http.StatusMethodNotAllowed, msg: "This page of the console is read-only: it answers GET and HEAD, not POST."})
			return
		}
		h.fail(w, r, notFound("There is no console page at %s.", r.URL.Path))
	})
	return h
}

// WithSignIn makes the console ask people to sign in with an access key
// and its secret (a form, then a session cookie) and show only what that
// user's policies let the API show them: each call the console makes is
// authorized as the API's would be. A server that checks signatures
// serves the console this way.
func WithSignIn(users *auth.Authenticator, authorize func(ctx context.Context, op string, in swfapi.Input) (context.Context, error)) Option {
	return func(h *handler) { h.users, h.authorize = users, authorize }
}

// WithLogger sets where the console logs sign-ins (failed ones at warn)
// and the audit lines of its actions.
func WithLogger(l *slog.Logger) Option {
	return func(h *handler) { h.logger = l }
}

// WithActions turns on the console's actions on executions (signal,
// request cancel, terminate, re-run). Each is a POST with a CSRF token,
// confirmed on a page of its own, authorized as the API's call would be,
// and logged as an audit line.
func WithActions() Option {
	return func(h *handler) { h.actions = true }
}

// handler is the console: a mux of its pages behind the checks every
// answer shares.
type handler struct {
	svc swfapi.Service
	now func() time.Time
	mux *http.ServeMux
	// users and authorize, when set, sign people in and check each call.
	users     *auth.Authenticator
	authorize func(ctx context.Context, op string, in swfapi.Input) (context.Context, error)
	sessions  *sessions
	logger    *slog.Logger
	// actions: the action forms are on.
	actions bool
}

// authorizeKey carries, in a request's context, the check of each call the
// console makes for the signed-in user.
type authorizeKey struct{}

// ServeHTTP sets the security headers, refuses methods other than GET,
// HEAD and POST, signs people in (with a users file), checks the CSRF
// token of every POST, and serves the page.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	allow := "GET, HEAD"
	if p := r.URL.Path; p == signInPath || p == signOutPath || strings.HasSuffix(p, "/action") {
		allow = "GET, HEAD, POST"
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && (r.Method != http.MethodPost || !strings.HasSuffix(allow, "POST")) {
		hd.Set("Allow", allow)
		h.fail(w, r, &pageError{status: http.StatusMethodNotAllowed, msg: "This page of the console answers " + allow + ", not " + r.Method + "."})
		return
	}
	if h.users != nil && r.URL.Path == signInPath {
		h.signIn(w, r)
		return
	}
	r, cookie, ok := h.identify(w, r)
	if !ok {
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), cookieKey{}, cookie))
	if r.Method == http.MethodPost && !h.sessions.validCSRF(cookie, r.PostFormValue("csrf")) {
		h.fail(w, r, &pageError{status: http.StatusForbidden, msg: "The form's CSRF token is missing or does not match this browser's session: reload the page and try again."})
		return
	}
	h.mux.ServeHTTP(w, r)
}

// cookieKey carries, in a request's context, the cookie value that names
// the browser's session (signed in or anonymous), which CSRF tokens are
// bound to.
type cookieKey struct{}

// identify finds who the browser is: with a users file, the signed-in
// user of its session cookie (or it is sent to sign in); without, an
// anonymous browser, given a cookie of its own so that forms can carry
// CSRF tokens. It returns the request with the user in its context and
// the cookie's value, or false when it has answered.
func (h *handler) identify(w http.ResponseWriter, r *http.Request) (*http.Request, string, bool) {
	if h.users == nil {
		return r, h.anonymous(w, r), true
	}
	c, err := r.Cookie(sessionCookie)
	var ss *session
	if err == nil {
		ss, _ = h.sessions.get(c.Value, time.Now())
	}
	var p *auth.Principal
	if ss != nil {
		p, _ = h.users.Password(ss.keyID, ss.secret)
	}
	if p == nil {
		if r.Method == http.MethodPost {
			h.fail(w, r, &pageError{status: http.StatusUnauthorized, msg: "Your session has ended: sign in again.", back: signInPath, backText: "sign in"})
			return r, "", false
		}
		http.Redirect(w, r, signInPath+"?"+url.Values{"next": {r.URL.RequestURI()}}.Encode(), http.StatusSeeOther)
		return r, "", false
	}
	ctx := auth.NewContext(r.Context(), h.users.NewCaller(p, r, time.Now()))
	return r.WithContext(context.WithValue(ctx, authorizeKey{}, h.authorize)), c.Value, true
}

// anonymous returns the cookie of a browser that has not signed in, and
// gives it one if it has none.
func (h *handler) anonymous(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(anonCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	v := randomID()
	h.setCookie(w, r, anonCookie, v, 0)
	return v
}

// render writes a page, all of it or, if the template fails, an error
// page instead.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	if p, ok := data.(interface{ chrome() *Chrome }); ok {
		h.chromeOf(r, p.chrome())
	}
	var b bytes.Buffer
	if err := pages[name].ExecuteTemplate(&b, "layout", data); err != nil {
		if name == "error" {
			h.logger.Error("console: rendering the error page", "err", err)
			http.Error(w, "The console could not render its page.", http.StatusInternalServerError)
			return
		}
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// pageError is an answer other than a page: its status and a message for
// people.
type pageError struct {
	status int
	msg    string
	// back is where to go instead, if anywhere.
	back, backText string
}

func (e *pageError) Error() string { return e.msg }

func notFound(format string, args ...any) *pageError {
	return &pageError{status: http.StatusNotFound, msg: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *pageError {
	return &pageError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// statusOf is the HTTP status an error answers with: 404 for what the
// API does not know, 400 for arguments it refuses (a filter, an expired
// page token), 503 for an outage of the database, 500 for the rest.
func statusOf(err error) int {
	var pe *pageError
	var ae *swfapi.Error
	var ve *swfapi.ValidationError
	switch {
	case errors.As(err, &pe):
		return pe.status
	case errors.As(err, &ve):
		return http.StatusBadRequest
	case errors.As(err, &ae):
		switch ae.Code {
		case swfapi.CodeUnknownResourceFault:
			return http.StatusNotFound
		case swfapi.CodeOperationNotPermittedFault:
			return http.StatusForbidden
		case swfapi.CodeValidationException:
			return http.StatusBadRequest
		}
	}
	// The store marks an outage of the database (store.Unavailable).
	var outage interface{ Unavailable() bool }
	if errors.As(err, &outage) && outage.Unavailable() {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errorPage is what the error template shows.
type errorPage struct {
	Chrome
	Title          string
	Crumbs         []link
	Status         int
	StatusText     string
	Message        string
	Back, BackText string
}

// fail answers with an error page. An internal error's text stays in the
// log: the page says only that something failed, and the request's id to
// find it by.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	msg := err.Error()
	switch status {
	case http.StatusInternalServerError:
		ref := randomID()[:12]
		h.logger.Error("console: internal error", "path", r.URL.Path, "ref", ref, "err", err)
		msg = "The server failed to answer (reference " + ref + " in its log)."
	case http.StatusServiceUnavailable:
		ref := randomID()[:12]
		h.logger.Error("console: the database is unavailable", "path", r.URL.Path, "ref", ref, "err", err)
		msg = "The server's database is unavailable: try again later (reference " + ref + " in its log)."
	}
	p := &errorPage{Status: status, StatusText: http.StatusText(status), Message: msg}
	p.Title = p.StatusText
	var pe *pageError
	if errors.As(err, &pe) {
		p.Back, p.BackText = pe.back, pe.backText
	}
	h.render(w, r, status, "error", p)
}

// call validates in, as the API would before calling the operation, and
// calls it: the engine counts on valid input.
func call[I swfapi.Input, O any](ctx context.Context, in I, op func(context.Context, I) (O, error)) (O, error) {
	var zero O
	if err := in.Validate(nil); err != nil {
		return zero, err
	}
	if authorize, ok := ctx.Value(authorizeKey{}).(func(context.Context, string, swfapi.Input) (context.Context, error)); ok && authorize != nil {
		// The operation's name is its input's, less "Input".
		name := strings.TrimSuffix(reflect.TypeOf(in).Elem().Name(), "Input")
		var err error
		if ctx, err = authorize(ctx, name, in); err != nil {
			return zero, err
		}
	}
	return op(ctx, in)
}

// link is an anchor: its text and where it goes, with an optional label
// before it.
type link struct {
	Label, Text, URL string
}

// segment escapes a path segment. A segment of dots alone would be taken
// as "this" or "parent" directory, so its dots are escaped too.
func segment(s string) string {
	e := url.PathEscape(s)
	if strings.Trim(e, ".") == "" {
		e = strings.ReplaceAll(e, ".", "%2E")
	}
	return e
}

// withQuery appends the non-empty parameters of q to path.
func withQuery(path string, q url.Values) string {
	for k, v := range q {
		if len(v) == 0 || v[0] == "" {
			delete(q, k)
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// domainURL is the path of a domain's page.
func domainURL(domain string) string {
	return "/console/domains/" + segment(domain)
}

// executionURL is the path of an execution's page, with more query
// parameters, given as pairs of key and value, if any.
func executionURL(domain, workflowID, runID string, more ...string) string {
	return runURL(domainURL(domain)+"/execution", workflowID, runID, more...)
}

// runURL is path with a run's workflowId and runId, and more query
// parameters given as pairs of key and value.
func runURL(path, workflowID, runID string, more ...string) string {
	q := url.Values{"workflowId": {workflowID}, "runId": {runID}}
	for i := 0; i+1 < len(more); i += 2 {
		q.Set(more[i], more[i+1])
	}
	return withQuery(path, q)
}

// formatTime shows a time in UTC, RFC 3339 with milliseconds (SWF keeps
// times to the millisecond); nil shows as nothing.
func formatTime(t *swfapi.Timestamp) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// statusClass is the CSS class that colours a status.
func statusClass(s string) string {
	switch s {
	case "OPEN", "REGISTERED", "COMPLETED":
		return "st-" + strings.ToLower(s)
	case "DEPRECATED", "CANCELED", "CONTINUED_AS_NEW":
		return "st-muted"
	case "FAILED", "TERMINATED", "TIMED_OUT":
		return "st-bad"
	}
	return ""
}

// callerOf is the signed-in user of a request, if any.
func callerOf(ctx context.Context) *auth.Caller { return auth.FromContext(ctx) }
