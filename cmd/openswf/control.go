package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/openswf/openswf/internal/server"
)

// control runs the commands that talk to a running server: clock, reset
// and healthcheck.
func control(args []string, stdout, stderr io.Writer) error {
	cmd := args[0]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", defaultEndpoint(), "the server's URL (OPENSWF_ENDPOINT; default: from OPENSWF_LISTEN)")
	region := fs.String("region", env("AWS_REGION", env("AWS_DEFAULT_REGION", server.DefaultRegion)), "region to sign for, when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set (AWS_REGION)")
	// Flags may come before or after the words: openswf clock advance 90m --endpoint URL.
	var words []string
	for rest := args[1:]; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		words, rest = append(words, fs.Arg(0)), fs.Args()[1:]
	}
	base := strings.TrimSuffix(*endpoint, "/")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	switch {
	case cmd == "healthcheck" && len(words) == 0:
		return call(ctx, http.MethodGet, base+"/healthz", "", nil, *region, io.Discard)
	case cmd == "wipe" && len(words) == 0:
		return call(ctx, http.MethodPost, base+server.ResetPath, server.AdminTarget(server.ActionReset), []byte("{}"), *region, stdout)
	case cmd == "clock" && len(words) == 0:
		return call(ctx, http.MethodGet, base+server.ClockPath, "", nil, *region, stdout)
	case cmd == "clock" && len(words) == 2 && (words[0] == "advance" || words[0] == "set"):
		body, _ := json.Marshal(map[string]string{words[0]: words[1]})
		return call(ctx, http.MethodPost, base+server.ClockPath, server.AdminTarget(server.ActionAdvanceClock), body, *region, stdout)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%s: unexpected arguments %q", cmd, words)
}

// defaultEndpoint is OPENSWF_ENDPOINT, or the address the server is told
// to listen on (OPENSWF_LISTEN), seen from this machine.
func defaultEndpoint() string {
	if e := os.Getenv("OPENSWF_ENDPOINT"); e != "" {
		return e
	}
	host, port, err := net.SplitHostPort(env("OPENSWF_LISTEN", server.DefaultListen))
	if err != nil {
		return "http://" + server.DefaultListen
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// call sends one request, signed as an SDK would when AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY are set (a server with a users file needs it), and
// copies a successful answer to out; target, when set, is the X-Amz-Target
// that names the action (signed with the rest).
func call(ctx context.Context, method, url, target string, body []byte, region string, out io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "swf", region, time.Now()); err != nil {
			return err
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(b, &e) == nil && e.Message != "" {
			return errors.New(e.Message)
		}
		return fmt.Errorf("%s %s: %s %s", method, url, resp.Status, bytes.TrimSpace(b))
	}
	_, err = out.Write(b)
	return err
}
