package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/openswf/openswf/internal/archive"
	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/sigv4"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/wire"
)

// maxExtensionBody bounds the body of an extension's request: an imported
// history may be large (25,000 events of up to 32 KB of data each).
const maxExtensionBody = 1 << 30

// ExtensionTarget prefixes the X-Amz-Target header of the extensions'
// requests: OpenSWF.ImportHistory, OpenSWF.ResetWorkflowExecution, …
const ExtensionTarget = "OpenSWF."

// ExtensionPaths are the HTTP endpoints of openswf's operations beyond the
// SWF API, each a POST of a JSON object, with X-Amz-Target
// ExtensionTarget+the field's name, answered with a JSON object or an error
// shaped like the API's ({"__type", "message"}). With a users file they are
// SigV4-signed like API calls (service "swf", X-Amz-Target among the signed
// headers) and authorized by the openswf:* action of the same name on the
// domain's ARN.
var ExtensionPaths = struct {
	ImportHistory, ResetWorkflowExecution, ListArchivedExecutions, GetArchivedExecution string
}{
	ImportHistory:          "/openswf/history/import",
	ResetWorkflowExecution: "/openswf/execution/reset",
	ListArchivedExecutions: "/openswf/archive/list",
	GetArchivedExecution:   "/openswf/archive/get",
}

// openArchive opens the archive ArchiveURL names, unless Archive is set.
func (c *Config) openArchive(ctx context.Context) error {
	if c.Archive != nil || c.ArchiveURL == "" {
		return nil
	}
	a, err := archive.Open(ctx, c.ArchiveURL, c.ArchiveEndpoint)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	c.Archive = a
	return nil
}

// extensionRoutes serves the extensions' endpoints, each counted in m
// under its operation's name.
func (s *Server) extensionRoutes(mux *http.ServeMux, m *serverMetrics) {
	e := s.engine
	mux.Handle("POST "+ExtensionPaths.ImportHistory, m.endpoint("ImportHistory", extension(s, "ImportHistory", e.ImportHistory)))
	mux.Handle("POST "+ExtensionPaths.ResetWorkflowExecution, m.endpoint("ResetWorkflowExecution", extension(s, "ResetWorkflowExecution", e.ResetWorkflowExecution)))
	mux.Handle("POST "+ExtensionPaths.ListArchivedExecutions, m.endpoint("ListArchivedExecutions", extension(s, "ListArchivedExecutions", e.ListArchivedExecutions)))
	mux.Handle("POST "+ExtensionPaths.GetArchivedExecution, m.endpoint("GetArchivedExecution", extension(s, "GetArchivedExecution", e.GetArchivedExecution)))
}

// extension serves one extension: it reads and authenticates the request,
// decodes the input, calls the engine and writes the answer.
func extension[In, Out any](s *Server, op string, call func(context.Context, *In) (*Out, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if target := r.Header.Get("X-Amz-Target"); target != ExtensionTarget+op {
			writeExtensionError(w, r, s, op, swfapi.Errorf(swfapi.CodeUnknownOperationException, "X-Amz-Target must be %s%s here, not %q", ExtensionTarget, op, target))
			return
		}
		// With a users file, the signature's headers are checked before
		// the body is read, and the body's hash after.
		a, now := s.cfg.Auth, time.Now() // signatures are dated by the wall clock
		var pending *auth.Pending
		if a != nil {
			var err error
			if pending, err = a.Begin(r, now); err != nil {
				writeExtensionError(w, r, s, op, signatureError(err))
				return
			}
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxExtensionBody))
		if err != nil {
			writeExtensionError(w, r, s, op, swfapi.Errorf(swfapi.CodeSerializationException, "Could not read the request body: %v", err))
			return
		}
		ctx := r.Context()
		if a != nil {
			p, err := pending.Finish(body)
			if err != nil {
				writeExtensionError(w, r, s, op, signatureError(err))
				return
			}
			ctx = auth.NewContext(ctx, a.NewCaller(p, r, now))
		}
		in := new(In)
		if err := json.Unmarshal(body, in); err != nil {
			writeExtensionError(w, r, s, op, swfapi.Errorf(swfapi.CodeSerializationException, "The request is not the JSON this endpoint takes: %v", err))
			return
		}
		out, err := call(ctx, in)
		if err != nil {
			writeExtensionError(w, r, s, op, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
}

// signatureError is a signature's problem as the API answers it.
func signatureError(err error) error {
	var sigErr *sigv4.Error
	if errors.As(err, &sigErr) {
		return swfapi.Errorf(sigErr.Code, "%s", sigErr.Message)
	}
	return err
}

// writeExtensionError answers an extension's request with err as the API
// answers its calls: an outage of the database is ServiceUnavailable (503,
// which clients retry), logged as a warning; a bug is InternalFailure
// (500), logged as an error.
func writeExtensionError(w http.ResponseWriter, r *http.Request, s *Server, op string, err error) {
	f := wire.FaultOf(r.Context(), err)
	switch {
	case f.Outage:
		s.cfg.Logger.Warn("service unavailable", "op", op, "err", err)
	case f.Internal:
		s.cfg.Logger.Error("internal error in an extension", "op", op, "err", err)
	}
	answered(w, f.Code)
	wire.WriteError(w, wire.Status(f.Code), f.Code, f.Message)
}
