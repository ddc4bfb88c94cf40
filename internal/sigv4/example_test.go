package sigv4_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/openswf/openswf/internal/sigv4"
)

// A handler that answers unsigned or badly signed calls as AWS does.
func ExampleVerifier() {
	v := &sigv4.Verifier{
		Service: "swf",
		Region:  "us-east-1",
		Secret: func(id string) (string, bool) {
			secret, ok := map[string]string{"AKIDEXAMPLE": "secret"}[id]
			return secret, ok
		},
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if _, err := v.Verify(r, body, time.Now()); err != nil {
			var e *sigv4.Error
			errors.As(err, &e)
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
			return
		}
		// ... serve the call for the key Verify returned.
	})
}
