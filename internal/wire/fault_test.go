package wire_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/wire"
)

// FaultOf, which openswf's own endpoints answer with as the API does, says
// what an error is answered with and whether it is an outage or a bug.
func TestFaultOf(t *testing.T) {
	live, gone := context.Background(), func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}()
	outage := fmt.Errorf("importing: %w", store.Unavailable(errors.New("connection refused")))
	for _, c := range []struct {
		name string
		ctx  context.Context
		err  error
		want wire.Fault
	}{
		{"an API error", live, swfapi.Errorf(swfapi.CodeUnknownResourceFault, "Unknown domain: d"), wire.Fault{Code: "UnknownResourceFault", Message: "Unknown domain: d"}},
		{"a validation error", live, swfapi.NewValidationError("domain", nil, "Member must not be null"), wire.Fault{Code: "ValidationException",
			Message: swfapi.NewValidationError("domain", nil, "Member must not be null").Error()}},
		{"an outage", live, outage, wire.Fault{Code: "ServiceUnavailableException", Message: "The service cannot reach its database at the moment; try again later", Outage: true}},
		{"a bug", live, errors.New("nil map"), wire.Fault{Code: "InternalFailure", Message: "The server encountered an internal error", Internal: true}},
		{"a client gone", gone, outage, wire.Fault{Code: "ServiceUnavailableException", Message: "The request was canceled"}},
	} {
		if got := wire.FaultOf(c.ctx, c.err); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
