package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/throttle"
)

// signedIn is ctx with a caller whose policy allows swf:* on the domain d
// alone, as the wire puts one there for a signed request.
func signedIn(t *testing.T, h *harness) context.Context {
	t.Helper()
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"swf:*","Resource":"` + h.e.DomainARN(domain) + `"}]}`
	a, err := auth.New(&auth.File{Users: []auth.User{{
		Name: "worker", AccessKeys: []auth.AccessKey{{AccessKeyID: "AKIDWORKER", SecretAccessKey: "secret"}},
		Policies: []json.RawMessage{json.RawMessage(policy)},
	}}}, "us-east-1", "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := a.Password("AKIDWORKER", "secret")
	if !ok {
		t.Fatal("the worker's key is not found")
	}
	return auth.NewContext(ctx, auth.NewCaller(p, httptest.NewRequest("POST", "/", nil), epoch))
}

// A call with a task token checks the token's HMAC once, whatever else it
// goes through: Authorize opens the token to find the task's domain and
// passes it on, in the call's context, to Throttle (a heartbeat's bucket
// is its run's) and to the operation. Each call runs here as the wire runs
// it; with a signed-in caller and without one (no users file, where
// Throttle is the first to open it).
func TestTaskTokenOpenedOncePerCall(t *testing.T) {
	h := newHarness(t, engine.Config{ExecutionAPIRates: map[string]throttle.Rate{"RecordActivityTaskHeartbeat": {Burst: 100, PerSecond: 100}}})
	var opens atomic.Int64
	engine.CountTokenOpens(h.e, &opens)
	call := func(ctx context.Context, op string, in swfapi.Input) (any, error) {
		t.Helper()
		opens.Store(0)
		var err error
		if auth.FromContext(ctx) != nil {
			if ctx, err = h.e.Authorize(ctx, op, in); err != nil {
				return nil, err
			}
		}
		if ctx, err = h.e.Throttle(ctx, op, in); err != nil {
			return nil, err
		}
		out, err := swfapi.LookupOperation(op).Call(ctx, h.e, in)
		if n := opens.Load(); n != 1 {
			t.Errorf("%s opened its task token %d times, want once", op, n)
		}
		return out, err
	}
	for _, c := range []struct {
		name string
		ctx  context.Context
	}{{"signed in", signedIn(t, h)}, {"no users file", ctx}} {
		t.Run(c.name, func(t *testing.T) {
			h.start("wf-" + c.name)
			dt := h.pollDecision()
			_, err := call(c.ctx, "RespondDecisionTaskCompleted", &swfapi.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken, Decisions: []swfapi.Decision{schedule("a", "60")}})
			h.must(err)
			at := h.pollActivity()
			out, err := call(c.ctx, "RecordActivityTaskHeartbeat", &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: at.TaskToken})
			h.must(err)
			if status := out.(*swfapi.ActivityTaskStatus); *status.CancelRequested {
				t.Errorf("the heartbeat says the task is canceled")
			}
			_, err = call(c.ctx, "RespondActivityTaskCompleted", &swfapi.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken})
			h.must(err)
			// A token this server did not issue fails to open once, and
			// the operation answers for it.
			_, err = call(c.ctx, "RespondActivityTaskFailed", &swfapi.RespondActivityTaskFailedInput{TaskToken: swfapi.Ptr("not-a-token")})
			wantTokenRefused(t, err)
		})
	}
}

// The opened token a call's context carries stands for that token alone:
// an operation given another token opens and checks that one.
func TestOpenedTokenIsNotAnothers(t *testing.T) {
	h := newHarness(t, engine.Config{})
	h.decide(h.start("wf"), schedule("a", "60"))
	at := h.pollActivity()
	authorized, err := h.e.Authorize(signedIn(t, h), "RecordActivityTaskHeartbeat", &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: at.TaskToken})
	h.must(err)
	err = h.e.RespondActivityTaskCompleted(authorized, &swfapi.RespondActivityTaskCompletedInput{TaskToken: swfapi.Ptr(*at.TaskToken + "x")})
	wantTokenRefused(t, err)
}

// wantTokenRefused checks that err is the ValidationException of a task
// token this server did not issue.
func wantTokenRefused(t *testing.T, err error) {
	t.Helper()
	var v *swfapi.ValidationError
	if !errors.As(err, &v) || !strings.Contains(v.Error(), "'taskToken'") {
		t.Fatalf("error %v, want the ValidationException of taskToken", err)
	}
}
