package sigv4

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	"github.com/aws/smithy-go"
)

// TestSWFClient sends calls of the real aws-sdk-go-v2 SWF client, with all
// its middleware, to a server that verifies them, and checks that a failure
// reaches the client with its code.
func TestSWFClient(t *testing.T) {
	v := newVerifier()
	verified := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		id, err := v.Verify(r, body, time.Now())
		if err != nil {
			var e *Error
			errors.As(err, &e)
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
			return
		}
		verified <- id
		io.WriteString(w, `{"domainInfos":[]}`)
	}))
	defer srv.Close()

	client := func(key, secret, token string) *swf.Client {
		return swf.NewFromConfig(aws.Config{
			Region:      "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, token),
			Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
		}, func(o *swf.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	}
	in := &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered}

	if _, err := client(testKey, testSecret, "").ListDomains(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if id := <-verified; id != testKey {
		t.Fatalf("verified %q", id)
	}

	for _, tc := range []struct{ key, secret, token, code string }{
		{testKey, "wrong secret", "", CodeInvalidSignature},
		{"AKIDUNKNOWN", "wrong secret", "", CodeUnrecognizedClient},
		// No sessions are issued: a session token cannot be valid.
		{testKey, testSecret, "session-token", CodeUnrecognizedClient},
	} {
		key, code := tc.key, tc.code
		_, err := client(key, tc.secret, tc.token).ListDomains(context.Background(), in)
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
			t.Fatalf("key %s: err = %v; want code %s", key, err, code)
		}
	}
}
