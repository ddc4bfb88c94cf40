// Package client calls an openswf server for the openswf command's
// extensions beyond the SWF API (history export and import, reset, the
// archive): SWF operations as raw AWS JSON 1.0 calls, so that events keep
// the exact JSON the server sent, and the extensions' endpoints. Requests
// are signed with SigV4 (service "swf") using the standard AWS credential
// chain, as the SDKs sign them.
package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

// DefaultEndpoint is where the commands look for a server.
const DefaultEndpoint = "http://127.0.0.1:7930"

// Client talks to one openswf server.
type Client struct {
	// Endpoint is the server's base URL.
	Endpoint string
	// Region is the region requests are signed for.
	Region string
	// Credentials sign requests; nil sends them unsigned.
	Credentials aws.CredentialsProvider
	// HTTP sends the requests.
	HTTP *http.Client
	// PageSize is the maximumPageSize of the pages History reads (0: the
	// server's most, 1000).
	PageSize int
}

// New returns a client of the server at endpoint whose credentials and
// region come from the standard AWS chain (environment, shared config and
// credentials files, SSO, instance roles); without a region, us-east-1.
func New(ctx context.Context, endpoint string) (*Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	return &Client{Endpoint: strings.TrimSuffix(endpoint, "/"), Region: region, Credentials: cfg.Credentials, HTTP: http.DefaultClient}, nil
}

// Error is an error the server answered with.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// post sends a signed JSON request for the operation target (X-Amz-Target,
// which servers with a users file require signed) and decodes the answer
// into out.
func (c *Client) post(ctx context.Context, path, target string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", target)
	if c.Credentials != nil {
		creds, err := c.Credentials.Retrieve(ctx)
		if err != nil {
			return fmt.Errorf("AWS credentials: %w", err)
		}
		sum := sha256.Sum256(body)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "swf", c.Region, time.Now()); err != nil {
			return err
		}
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &e) != nil || e.Type == "" {
			return &Error{Status: resp.StatusCode, Code: resp.Status, Message: strings.TrimSpace(string(data))}
		}
		_, code, _ := strings.Cut(e.Type, "#")
		if code == "" {
			code = e.Type
		}
		return &Error{Status: resp.StatusCode, Code: code, Message: e.Message}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	return json.Unmarshal(data, out)
}
