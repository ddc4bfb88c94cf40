package wire_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/wire"
)

// learned is a context key for what a check learned about a call.
type learned struct{ by string }

// heartbeats answers RecordActivityTaskHeartbeat with whether its context
// carries what both checks learned.
type heartbeats struct {
	swfapi.Service
}

func (heartbeats) RecordActivityTaskHeartbeat(ctx context.Context, in *swfapi.RecordActivityTaskHeartbeatInput) (*swfapi.ActivityTaskStatus, error) {
	both := ctx.Value(learned{"Authorize"}) == *in.TaskToken && ctx.Value(learned{"Throttle"}) == *in.TaskToken
	return &swfapi.ActivityTaskStatus{CancelRequested: &both}, nil
}

// The context Authorize returns is the one Throttle is given, and the one
// Throttle returns the one the operation is called with: what the checks
// learned (the engine's opened task token) reaches the operation.
func TestChecksPassTheirContextOn(t *testing.T) {
	users, err := auth.New(&auth.File{Users: []auth.User{{Name: "u", AccessKeys: []auth.AccessKey{{AccessKeyID: "AKIDU", SecretAccessKey: "secret"}}}}}, "us-east-1", "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	keep := func(by string) func(context.Context, string, swfapi.Input) (context.Context, error) {
		return func(ctx context.Context, op string, in swfapi.Input) (context.Context, error) {
			if by == "Throttle" && ctx.Value(learned{"Authorize"}) == nil {
				t.Errorf("Throttle is not given the context Authorize returned")
			}
			return context.WithValue(ctx, learned{by}, *in.(*swfapi.RecordActivityTaskHeartbeatInput).TaskToken), nil
		}
	}
	h := wire.NewHandler(heartbeats{}, slog.New(slog.NewTextHandler(io.Discard, nil)), wire.Options{
		Authenticator: users, Authorize: keep("Authorize"), Throttle: keep("Throttle"),
	})
	body := `{"taskToken":"tok"}`
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService.RecordActivityTaskHeartbeat")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDU", SecretAccessKey: "secret"},
		req, hex.EncodeToString(sum[:]), "swf", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out swfapi.ActivityTaskStatus
	if err := json.Unmarshal(rec.Body.Bytes(), &out); rec.Code != 200 || err != nil || out.CancelRequested == nil || !*out.CancelRequested {
		t.Errorf("the operation's context lacks what the checks learned: %d %s", rec.Code, rec.Body)
	}
}
