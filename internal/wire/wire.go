// Package wire speaks the AWS JSON 1.0 protocol of Amazon SWF: it routes a
// POST by its X-Amz-Target header to an operation, decodes and validates the
// input, and writes the output or the error in the form that the AWS SDKs
// parse (SWF-API.md §1).
package wire

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/sigv4"
	"github.com/openswf/openswf/internal/swfapi"
)

// MaxRequestBytes is SWF's limit on the size of a request.
const MaxRequestBytes = 1 << 20

// ContentType is what AWS JSON 1.0 services answer with.
const ContentType = "application/x-amz-json-1.0"

// legacyTargetPrefix is what boto 2 put before the operation name.
const legacyTargetPrefix = "com.amazonaws.swf.service.model.SimpleWorkflowService."

// Handler serves the SWF API over HTTP.
type Handler struct {
	svc  swfapi.Service
	log  *slog.Logger
	opts Options
	// bodyReads holds a token for each body being read (nil: no bound).
	bodyReads chan struct{}
}

// Options are a Handler's optional parts.
type Options struct {
	// Sizes are the largest data members allowed (nil: Amazon SWF's).
	Sizes *swfapi.SizeLimits
	// Authenticator checks each request's SigV4 signature and says who
	// signed it. Without one, requests are not checked at all (the
	// zero-set-up mode for development): any keys, or none, will do.
	Authenticator *auth.Authenticator
	// Authorize checks that the caller (in ctx) may make a call; it runs
	// after the input is validated, only when there is an Authenticator.
	// The context it returns is the call's from then on: it may carry
	// what authorizing learned for the operation (the opened task token).
	Authorize func(ctx context.Context, op string, in swfapi.Input) (context.Context, error)
	// Throttle takes a token for a call, refusing it (ThrottlingException)
	// when the rate limits are spent; it runs after the input is validated
	// and the call authorized. Like Authorize, it returns the call's
	// context from then on.
	Throttle func(ctx context.Context, op string, in swfapi.Input) (context.Context, error)
	// Observe is told of each answered request: the operation (empty when
	// unknown), the error code ("OK" for a success) and the time it took.
	Observe func(op, code string, d time.Duration)
	// Now is the wall clock that signatures' dates are checked against
	// (nil: time.Now).
	Now func() time.Time
	// MaxBodyReads bounds how many request bodies are read at once before
	// their signatures are verified (with an Authenticator, only bodies of
	// requests whose signature passed every check that needs no body are
	// read at all); 0 means no bound. A request that waits longer than
	// BodyTimeout for its turn is answered ServiceUnavailable (SDKs retry).
	MaxBodyReads int
	// BodyTimeout is how long a request waits to have its body read
	// (default 30 s). The server sets the connection's read deadline for
	// the body; the handler clears it once the body is read, so that a
	// long poll is not cut short by it.
	BodyTimeout time.Duration
}

// DefaultBodyTimeout is how long a body may take to arrive, by default.
const DefaultBodyTimeout = 30 * time.Second

// NewHandler returns a handler that invokes svc.
func NewHandler(svc swfapi.Service, log *slog.Logger, opts Options) *Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BodyTimeout <= 0 {
		opts.BodyTimeout = DefaultBodyTimeout
	}
	h := &Handler{svc: svc, log: log, opts: opts}
	if opts.MaxBodyReads > 0 {
		h.bodyReads = make(chan struct{}, opts.MaxBodyReads)
	}
	return h
}

// ServeHTTP handles one API request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	op, code := h.serve(w, r, reqID)
	d := time.Since(start)
	if h.opts.Observe != nil {
		h.opts.Observe(op, code, d)
	}
	h.log.Debug("request", "op", op, "code", code, "duration", d, "requestId", reqID)
}

// serve answers one request, returning the operation (empty when unknown)
// and the error code of the answer ("OK" for a success).
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, reqID string) (string, string) {
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, swfapi.TargetPrefix+".")
	if !ok {
		name, _ = strings.CutPrefix(target, legacyTargetPrefix)
	}
	op := swfapi.LookupOperation(name)
	if op == nil {
		return "", h.writeError(w, r, reqID, name, swfapi.Errorf(swfapi.CodeUnknownOperationException, "Unknown operation %q: X-Amz-Target must be %s.<Operation>", target, swfapi.TargetPrefix))
	}
	if r.Method != http.MethodPost {
		return name, h.writeError(w, r, reqID, name, swfapi.Errorf(swfapi.CodeSerializationException, "SWF operations are called with POST, not %s", r.Method))
	}

	// With a users file, the signature is checked as far as it can be
	// before the body is read: strangers cannot make the server read (and
	// hold) bodies.
	ctx, now := r.Context(), h.opts.Now()
	var pending *auth.Pending
	a := h.opts.Authenticator
	if a != nil {
		var err error
		if pending, err = a.Begin(r, now); err != nil {
			return name, h.refuse(w, r, reqID, name, err)
		}
	}
	body, err := h.readBody(w, r)
	if err != nil {
		return name, h.writeError(w, r, reqID, name, err)
	}
	if a != nil {
		p, err := pending.Finish(body)
		if err != nil {
			return name, h.refuse(w, r, reqID, name, err)
		}
		ctx = auth.NewContext(ctx, a.NewCaller(p, r, now))
	}

	in := op.NewInput()
	if len(body) > 0 {
		if err := checkText(body); err != nil {
			return name, h.writeError(w, r, reqID, name, err)
		}
		if err := json.Unmarshal(body, in); err != nil {
			return name, h.writeError(w, r, reqID, name, decodeError(err))
		}
	}
	if err := in.Validate(h.opts.Sizes); err != nil {
		return name, h.writeError(w, r, reqID, name, err)
	}
	// Authorize, then throttle: a call refused for its caller spends no
	// token of anyone's buckets.
	if h.opts.Authenticator != nil && h.opts.Authorize != nil {
		if ctx, err = h.opts.Authorize(ctx, name, in); err != nil {
			return name, h.writeError(w, r, reqID, name, err)
		}
	}
	if h.opts.Throttle != nil {
		if ctx, err = h.opts.Throttle(ctx, name, in); err != nil {
			return name, h.writeError(w, r, reqID, name, err)
		}
	}

	out, err := op.Call(ctx, h.svc, in)
	if err != nil {
		return name, h.writeError(w, r, reqID, name, err)
	}
	h.writeOutput(w, reqID, name, out)
	return name, "OK"
}

// readBody reads the request body, at most MaxRequestBytes of it, taking
// a turn among the bodies being read.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if h.bodyReads != nil {
		wait := time.NewTimer(h.opts.BodyTimeout)
		defer wait.Stop()
		select {
		case h.bodyReads <- struct{}{}:
			defer func() { <-h.bodyReads }()
		case <-wait.C:
			return nil, swfapi.Errorf(swfapi.CodeServiceUnavailable, "The server is busy reading other requests; retry later")
		case <-r.Context().Done():
			return nil, swfapi.Errorf(swfapi.CodeServiceUnavailable, "The request was canceled")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, swfapi.Errorf(swfapi.CodeRequestEntityTooLarge, "Request size exceeds %d bytes", MaxRequestBytes)
		}
		return nil, swfapi.Errorf(swfapi.CodeSerializationException, "Could not read the request body: %v", err)
	}
	// The body is in: the read deadline the server set for it must not
	// cut a long poll short (the server reads on to notice a client that
	// goes away). Handlers that cannot set deadlines need none.
	http.NewResponseController(w).SetReadDeadline(time.Time{})
	return body, nil
}

// refuse answers a request whose signature failed, with an audit line that
// says who it claimed to be (never the secret).
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, reqID, op string, err error) string {
	var sigErr *sigv4.Error
	if !errors.As(err, &sigErr) {
		return h.writeError(w, r, reqID, op, err)
	}
	h.log.Info("signature refused", "user", h.opts.Authenticator.UserOf(sigErr.AccessKeyID), "accessKeyId", sigErr.AccessKeyID,
		"operation", op, "remoteAddr", r.RemoteAddr, "code", sigErr.Code, "reason", sigErr.Message, "requestId", reqID)
	return h.writeError(w, r, reqID, op, swfapi.Errorf(sigErr.Code, "%s", sigErr.Message))
}

func (h *Handler) writeOutput(w http.ResponseWriter, reqID, op string, out any) {
	w.Header().Set("Content-Type", ContentType)
	if out == nil {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	b, err := marshal(out)
	if err != nil {
		h.log.Error("encode response", "op", op, "requestId", reqID, "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		writeErrorBody(w, swfapi.CodeInternalFailure, "The server could not encode its answer")
		return
	}
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// decodeError turns a JSON decoding failure into the SerializationException
// AWS answers with, naming the field where it can.
func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return swfapi.Errorf(swfapi.CodeSerializationException, "The request body is not valid JSON: %v (at byte %d)", syntax, syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return swfapi.Errorf(swfapi.CodeSerializationException, "The request body must be a JSON object, not %s", typ.Value)
		}
		return swfapi.Errorf(swfapi.CodeSerializationException, "Cannot read '%s': expected %s, got %s", typ.Field, jsonKind(typ.Type), typ.Value)
	}
	return swfapi.Errorf(swfapi.CodeSerializationException, "Cannot read the request: %v", err)
}

// jsonKind names the JSON a Go type is read from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	}
	return "an object"
}

// Status is the HTTP status an error code travels with.
func Status(code string) int {
	switch code {
	case swfapi.CodeInternalFailure:
		return http.StatusInternalServerError
	case swfapi.CodeServiceUnavailable:
		return http.StatusServiceUnavailable
	case swfapi.CodeRequestEntityTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// ErrorType is the __type of an error body: SWF's own namespace for the
// faults of the model, Coral's for the errors every AWS JSON service shares.
func ErrorType(code string) string {
	switch {
	case strings.HasSuffix(code, "Fault"):
		return "com.amazonaws.swf.base.model#" + code
	case code == swfapi.CodeValidationException:
		return "com.amazon.coral.validate#" + code
	case code == swfapi.CodeThrottlingException:
		return "com.amazon.coral.availability#" + code
	}
	return "com.amazon.coral.service#" + code
}

// CodeOf returns the error code and message that err is answered with. An
// error that is neither an API error nor a validation error is internal:
// ok is false, and its detail belongs in the log, not in the answer.
func CodeOf(err error) (code, msg string, ok bool) {
	var apiErr *swfapi.Error
	var valErr *swfapi.ValidationError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.Code, apiErr.Message, true
	case errors.As(err, &valErr):
		return swfapi.CodeValidationException, valErr.Error(), true
	}
	return swfapi.CodeInternalFailure, "The server encountered an internal error", false
}

// Fault is how an error is answered: its code and message, and what kind
// of failure it was, so that the server logs it at the right level.
type Fault struct {
	Code, Message string
	// Outage: the database cannot be reached or cannot commit. Not a bug:
	// every SDK retries the 503 it is answered with, and the operator reads
	// the cause in the log, as a warning.
	Outage bool
	// Internal: neither an API error nor an outage, so a bug. Its detail
	// belongs in the log, as an error, not in the answer.
	Internal bool
}

// FaultOf says how err, the failure of a request whose context is ctx, is
// answered. The SWF API answers with it, and so do openswf's own endpoints,
// so that an outage is ServiceUnavailableException (503) everywhere.
func FaultOf(ctx context.Context, err error) Fault {
	code, msg, ok := CodeOf(err)
	switch {
	case ok:
		return Fault{Code: code, Message: msg}
	case ctx.Err() != nil:
		// The client went away; nobody reads this answer.
		return Fault{Code: swfapi.CodeServiceUnavailable, Message: "The request was canceled"}
	case isOutage(err):
		return Fault{Code: swfapi.CodeServiceUnavailable, Message: "The service cannot reach its database at the moment; try again later", Outage: true}
	}
	return Fault{Code: code, Message: msg, Internal: true}
}

// writeError answers with err and returns its code.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, reqID, op string, err error) string {
	f := FaultOf(r.Context(), err)
	switch {
	case f.Outage:
		h.log.Warn("service unavailable", "op", op, "requestId", reqID, "err", err)
	case f.Internal:
		h.log.Error("internal error", "op", op, "requestId", reqID, "err", err)
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(Status(f.Code))
	writeErrorBody(w, f.Code, f.Message)
	return f.Code
}

// isOutage reports whether err is an outage of what the service depends on
// (the store marks its errors so, with store.Unavailable) rather than a bug.
func isOutage(err error) bool {
	var o interface{ Unavailable() bool }
	return errors.As(err, &o) && o.Unavailable()
}

// WriteError answers with status and the error body of code and msg, for
// refusals made before a request reaches the Handler.
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	writeErrorBody(w, code, msg)
}

func writeErrorBody(w io.Writer, code, msg string) {
	b, _ := marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{ErrorType(code), msg})
	w.Write(b)
}

// marshal encodes v as JSON without escaping <, > and & (which AWS does not
// do either) and without a trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// newRequestID makes a random UUID (version 4) for x-amzn-RequestId.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
