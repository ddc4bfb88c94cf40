// Package console is a read-only web console of an openswf server: HTML
// pages, rendered on the server with no JavaScript, that show a developer
// what the server holds (its domains, their types and executions, and each
// execution's detail and history) without writing API calls by hand.
//
// The console reads through swfapi.Service, the same operations the API
// serves, but it is not the API: it checks no signatures. A server with
// authentication on serves it WithSignIn, so that people sign in with an
// access key and see only what their policies let the API show them.
//
// URL scheme (path segments escaped with url.PathEscape, and a segment of
// dots alone as %2E, so that no path cleaning takes it for "." or ".."):
//
//	/console/                                   domains
//	/console/domains/{domain}                   a domain: its executions and types
//	    ?open_page=T                            page of open executions (T: the API's nextPageToken)
//	    &status=S&workflowId=W&days=N           filters of closed executions (default: any, any, 30)
//	    &closed_since=RFC3339&closed_page=T     page of closed executions, closed since the given time
//	/console/domains/{domain}/execution         one execution: detail and history
//	    ?workflowId=W&runId=R                   which one (query parameters round-trip any string)
//	    &page=T&order=newest                    page of its history, oldest (default) or newest first
package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
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
	for _, name := range []string{"domains", "domain", "execution", "error"} {
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
// only GET and HEAD, and sets a Content-Security-Policy that allows no
// scripts on every answer.
func New(svc swfapi.Service, opts ...Option) http.Handler {
	h := &handler{svc: svc, now: time.Now, mux: http.NewServeMux()}
	for _, o := range opts {
		o(h)
	}
	h.mux.HandleFunc("/console/{$}", h.domains)
	h.mux.HandleFunc("/console/domains/{domain}", h.domain)
	h.mux.HandleFunc("/console/domains/{domain}/execution", h.execution)
	h.mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, notFound("There is no console page at %s.", r.URL.Path))
	})
	return h
}

// WithSignIn makes the console ask for an access key and its secret (HTTP
// Basic authentication) and show only what that user's policies let the
// API show them: each call the console makes is authorized as the API's
// would be. A server that checks signatures serves the console this way.
func WithSignIn(users *auth.Authenticator, authorize func(ctx context.Context, op string, in swfapi.Input) error) Option {
	return func(h *handler) { h.users, h.authorize = users, authorize }
}

// handler is the console: a mux of its pages behind the checks every
// answer shares.
type handler struct {
	svc swfapi.Service
	now func() time.Time
	mux *http.ServeMux
	// users and authorize, when set, sign people in and check each call.
	users     *auth.Authenticator
	authorize func(ctx context.Context, op string, in swfapi.Input) error
}

// authorizeKey carries, in a request's context, the check of each call the
// console makes for the signed-in user.
type authorizeKey struct{}

// ServeHTTP sets the security headers, refuses methods other than GET
// and HEAD, and serves the page.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		h.fail(w, r, &pageError{status: http.StatusMethodNotAllowed, msg: "The console is read-only: it answers GET and HEAD, not " + r.Method + "."})
		return
	}
	if h.users != nil {
		id, secret, ok := r.BasicAuth()
		p, known := h.users.Password(id, secret)
		if !ok || !known {
			hd.Set("WWW-Authenticate", `Basic realm="openswf console", charset="UTF-8"`)
			h.fail(w, r, &pageError{status: http.StatusUnauthorized, msg: "Sign in with an access key id as the user name and its secret access key as the password."})
			return
		}
		ctx := auth.NewContext(r.Context(), h.users.NewCaller(p, r, time.Now()))
		r = r.WithContext(context.WithValue(ctx, authorizeKey{}, h.authorize))
	}
	h.mux.ServeHTTP(w, r)
}

// render writes a page, all of it or, if the template fails, an error
// page instead.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var b bytes.Buffer
	if err := pages[name].ExecuteTemplate(&b, "layout", data); err != nil {
		if name == "error" {
			http.Error(w, "The console could not render its page: "+err.Error(), http.StatusInternalServerError)
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
	Title          string
	Crumbs         []link
	Status         int
	StatusText     string
	Message        string
	Back, BackText string
}

// fail answers with an error page.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	p := &errorPage{Status: status, StatusText: http.StatusText(status), Message: err.Error()}
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
	if authorize, ok := ctx.Value(authorizeKey{}).(func(context.Context, string, swfapi.Input) error); ok && authorize != nil {
		// The operation's name is its input's, less "Input".
		name := strings.TrimSuffix(reflect.TypeOf(in).Elem().Name(), "Input")
		if err := authorize(ctx, name, in); err != nil {
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
	q := url.Values{"workflowId": {workflowID}, "runId": {runID}}
	for i := 0; i+1 < len(more); i += 2 {
		q.Set(more[i], more[i+1])
	}
	return withQuery(domainURL(domain)+"/execution", q)
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
