package wire_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/wire"
)

// failing answers ListDomains with its error.
type failing struct {
	swfapi.Service
	err error
}

func (f failing) ListDomains(context.Context, *swfapi.ListDomainsInput) (*swfapi.DomainInfos, error) {
	return nil, f.err
}

// An outage of the database answers ServiceUnavailableException (503),
// which every SDK retries, and logs its cause; any other error is a bug,
// InternalFailure (500). Neither tells the client the cause.
func TestOutageIsNotABug(t *testing.T) {
	for _, c := range []struct {
		err          error
		status       int
		code, logged string
	}{
		{store.Unavailable(errors.New("no space left on device")), 503, "ServiceUnavailableException", `level=WARN msg="service unavailable"`},
		{fmt.Errorf("listing: %w", store.Unavailable(errors.New("no space left on device"))), 503, "ServiceUnavailableException", `level=WARN msg="service unavailable"`},
		{errors.New("no space left on device"), 500, "InternalFailure", `level=ERROR msg="internal error"`},
	} {
		var log bytes.Buffer
		h := wire.NewHandler(failing{err: c.err}, slog.New(slog.NewTextHandler(&log, nil)), wire.Options{})
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"registrationStatus":"REGISTERED"}`))
		req.Header.Set("X-Amz-Target", "SimpleWorkflowService.ListDomains")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != c.status || !strings.Contains(body, "#"+c.code+`"`) || strings.Contains(body, "space") {
			t.Errorf("%v: %d %s", c.err, rec.Code, body)
		}
		if !strings.Contains(log.String(), c.logged) || !strings.Contains(log.String(), "no space left on device") {
			t.Errorf("%v: logged %s", c.err, log.String())
		}
	}
}
