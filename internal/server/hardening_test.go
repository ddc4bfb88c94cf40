package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// dial opens a raw connection to the server, closed when the test ends.
func dial(t *testing.T, s *swftest.Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr().String())
	must(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// closedWithin reads from c until the server closes it, failing the test
// if that takes longer than limit.
func closedWithin(t *testing.T, c net.Conn, limit time.Duration, what string) {
	t.Helper()
	start := time.Now()
	c.SetReadDeadline(start.Add(limit))
	_, err := io.Copy(io.Discard, c)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("%s: still open after %v", what, limit)
		}
	}
	t.Logf("%s: closed after %v", what, time.Since(start).Round(time.Millisecond))
}

// rawRequest writes the head of a POST of op whose body is n bytes long,
// with extra header lines, and none of the body.
func rawRequest(t *testing.T, c net.Conn, host, op string, n int, extra ...string) {
	t.Helper()
	head := "POST / HTTP/1.1\r\nHost: " + host + "\r\nX-Amz-Target: SimpleWorkflowService." + op +
		"\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: " + fmt.Sprint(n) + "\r\n"
	for _, h := range extra {
		head += h + "\r\n"
	}
	_, err := io.WriteString(c, head+"\r\n")
	must(t, err)
}

// A client that sends its body slowly, or sits idle on a keep-alive
// connection, is cut off after the configured time; a long poll still
// waits beyond it.
func TestSlowAndIdleConnectionsAreClosed(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) {
		c.BodyTimeout, c.IdleTimeout, c.ReadHeaderTimeout = timeout, timeout, timeout
	}))

	slow := dial(t, d.Server)
	rawRequest(t, slow, d.Addr().String(), "ListDomains", 100)
	io.WriteString(slow, "{")
	closedWithin(t, slow, 10*timeout, "a connection sending its body slowly")

	idle := dial(t, d.Server)
	io.WriteString(idle, "GET /healthz HTTP/1.1\r\nHost: "+d.Addr().String()+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
	must(t, err)
	resp.Body.Close()
	closedWithin(t, idle, 10*timeout, "an idle keep-alive connection")

	headers := dial(t, d.Server)
	io.WriteString(headers, "POST / HTTP/1.1\r\n")
	closedWithin(t, headers, 10*timeout, "a connection sending its headers slowly")

	// A poll outlives the body deadline: it is answered with the task that
	// comes after it.
	got := d.PollDecisionAsync(d.Client, swftest.DeciderList)
	swftest.WaitFor(t, "the poll to wait", func() bool { return waitingPolls(t, d.Server) == 1 })
	time.Sleep(3 * timeout) // real time: the deadline is the network's
	d.Start("after-the-deadline")
	if out := swftest.Await(t, got); aws.ToString(out.WorkflowExecution.WorkflowId) != "after-the-deadline" {
		t.Fatalf("poll answered %+v", out)
	}
}

// waitingPolls reads openswf_polls_waiting from the server's /metrics.
func waitingPolls(t *testing.T, s *swftest.Server) int {
	t.Helper()
	resp, err := http.Get(s.URL() + "/metrics")
	must(t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var n int
		if _, err := fmt.Sscanf(sc.Text(), "openswf_polls_waiting %d", &n); err == nil {
			return n
		}
	}
	t.Fatal("no openswf_polls_waiting in /metrics")
	return 0
}

// With a users file, a request whose signature cannot be genuine (an
// unknown key, a stale date) is answered without its body being read.
func TestBodyNotReadForUnknownKey(t *testing.T) {
	t.Parallel()
	d := authFixture(t)
	for name, extra := range map[string][]string{
		"unknown key": {"X-Amz-Date: " + time.Now().UTC().Format("20060102T150405Z"),
			"Authorization: AWS4-HMAC-SHA256 Credential=AKIDNOBODY/" + time.Now().UTC().Format("20060102") + "/us-east-1/swf/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00"},
		"stale date": {"X-Amz-Date: 20200101T000000Z",
			"Authorization: AWS4-HMAC-SHA256 Credential=" + swftest.AccessKeyID + "/20200101/us-east-1/swf/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00"},
		"no signature": nil,
	} {
		c := dial(t, d.Server)
		rawRequest(t, c, d.Addr().String(), "ListDomains", 1<<20-1, extra...)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%s: no answer before the body: %v", name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 400 || !bytes.Contains(b, []byte("Exception")) {
			t.Fatalf("%s: %d %s", name, resp.StatusCode, b)
		}
	}
}

// Bodies are read a few at a time: while one client holds the only turn
// by sending nothing, another waits, and is served once that one is gone.
func TestBodyReadsAreBounded(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.MaxBodyReads = 1 }))
	holder := dial(t, s)
	rawRequest(t, holder, s.Addr().String(), "ListDomains", 10)
	time.Sleep(250 * time.Millisecond) // for the server to take the request in

	const hold = 400 * time.Millisecond
	start := time.Now()
	done := make(chan error, 1)
	var took time.Duration
	go func() {
		_, err := s.Client.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered})
		took = time.Since(start)
		done <- err
	}()
	time.Sleep(hold)
	holder.Close()
	must(t, <-done)
	if took < hold {
		t.Fatalf("served after %v, while another body held the only turn", took)
	}
}

// signRaw signs a request as aws-sdk-go-v2 does, with payloadHash as the
// body's hash, then applies after to it (changes the signature does not
// cover).
func signRaw(t *testing.T, url, op, body, payloadHash string, before, after func(*http.Request)) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	must(t, err)
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	if payloadHash == "" {
		sum := sha256.Sum256([]byte(body))
		payloadHash = hex.EncodeToString(sum[:])
	}
	if before != nil {
		before(req)
	}
	must(t, v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: swftest.AccessKeyID, SecretAccessKey: swftest.SecretAccessKey},
		req, payloadHash, "swf", "us-east-1", time.Now()))
	if after != nil {
		after(req)
	}
	return req
}

func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A signature must cover the operation and the body: a request whose
// X-Amz-Target is not signed cannot be replayed as another operation, one
// with UNSIGNED-PAYLOAD not with another body; session tokens and presigned
// requests are refused.
func TestSignatureMustCoverTheRequest(t *testing.T) {
	t.Parallel()
	d := authFixture(t)
	for _, tc := range []struct {
		name, code string
		req        *http.Request
	}{
		{"target not signed", "IncompleteSignatureException", signRaw(t, d.URL(), "DescribeDomain", `{"name":"wf"}`, "",
			func(r *http.Request) { r.Header.Del("X-Amz-Target") },
			func(r *http.Request) { r.Header.Set("X-Amz-Target", "SimpleWorkflowService.DeprecateDomain") })},
		{"unsigned payload", "InvalidSignatureException", signRaw(t, d.URL(), "DeprecateDomain", `{"name":"wf"}`, "UNSIGNED-PAYLOAD",
			func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD") }, nil)},
		{"payload hash not signed", "IncompleteSignatureException", signRaw(t, d.URL(), "DeprecateDomain", `{"name":"wf"}`, "", nil,
			func(r *http.Request) {
				r.Header.Set("X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
			})},
		{"session token", "UnrecognizedClientException", signRaw(t, d.URL(), "DeprecateDomain", `{"name":"wf"}`, "",
			func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", "bogus") }, nil)},
		{"presigned", "IncompleteSignatureException", presignRaw(t, d.URL(), "DeprecateDomain", `{"name":"wf"}`)},
	} {
		status, body := send(t, tc.req)
		if status != 400 || !strings.Contains(body, "#"+tc.code+`"`) {
			t.Errorf("%s: %d %s; want %s", tc.name, status, body, tc.code)
		}
	}
	if detail := d.DescribeDomain(d.Name); detail.DomainInfo.Status != types.RegistrationStatusRegistered {
		t.Fatalf("the domain was deprecated by a request whose signature did not cover it")
	}
	// The SDK signs everything that matters; a session token it sends is
	// refused as AWS refuses an unknown one.
	_, err := d.ClientWith(credentials.NewStaticCredentialsProvider(swftest.AccessKeyID, swftest.SecretAccessKey, "token")).
		DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(d.Name)})
	wantCode(t, err, "UnrecognizedClientException")
	_, err = d.Client.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(d.Name)})
	must(t, err)
}

func presignRaw(t *testing.T, url, op, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	must(t, err)
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService."+op)
	sum := sha256.Sum256([]byte(body))
	uri, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: swftest.AccessKeyID, SecretAccessKey: swftest.SecretAccessKey},
		req, hex.EncodeToString(sum[:]), "swf", "us-east-1", time.Now())
	must(t, err)
	out, err := http.NewRequest(http.MethodPost, uri, strings.NewReader(body))
	must(t, err)
	for k, v := range hdr {
		if k != "Host" {
			out.Header[k] = v
		}
	}
	out.Header.Set("X-Amz-Target", "SimpleWorkflowService."+op)
	return out
}

// Without a users file the server answers only requests addressed to a
// loopback host or an allowed one, so that a web page cannot drive it
// through DNS rebinding.
func TestHostsWithoutUsers(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.AllowedHosts = []string{"swf.internal"} }))
	_, port, _ := net.SplitHostPort(s.Addr().String())
	for host, want := range map[string]int{
		"127.0.0.1:" + port:      200,
		"127.8.9.10":             200,
		"localhost:" + port:      200,
		"LOCALHOST.":             200,
		"app.localhost:" + port:  200,
		"[::1]:" + port:          200,
		"swf.internal:" + port:   200,
		"SWF.Internal":           200,
		"rebind.attacker.com":    403,
		"localhost.attacker.com": 403,
		"10.0.0.1:" + port:       403,
	} {
		req, err := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(`{"registrationStatus":"REGISTERED"}`))
		must(t, err)
		req.Host = host
		req.Header.Set("X-Amz-Target", "SimpleWorkflowService.ListDomains")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		status, body := send(t, req)
		if status != want {
			t.Errorf("Host %q: %d %s; want %d", host, status, body, want)
		}
		if want == 403 && !strings.Contains(body, "AccessDeniedException") || want == 403 && !strings.Contains(body, "--allowed-hosts") {
			t.Errorf("Host %q: %s", host, body)
		}
	}
	// Health checks come with any host.
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/healthz", nil)
	req.Host = "10.1.2.3:7930"
	if status, body := send(t, req); status != 200 {
		t.Errorf("/healthz: %d %s", status, body)
	}
}

// With a users file every host is answered: the signature covers it.
func TestHostsWithUsers(t *testing.T) {
	t.Parallel()
	d := authFixture(t)
	req := signRaw(t, d.URL(), "DescribeDomain", `{"name":"wf"}`, "", func(r *http.Request) { r.Host = "swf.example.com" }, nil)
	if status, body := send(t, req); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
}

// Long polls are bounded per server and per user: one client cannot hold
// the server with polls on many task lists.
func TestPollCaps(t *testing.T) {
	t.Parallel()
	t.Run("per server", func(t *testing.T) {
		t.Parallel()
		d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) { c.MaxPolls = 2 }))
		polls := holdPolls(t, d, 2)
		_, err := d.Client.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String("third")}})
		if msg := wantFault[*types.LimitExceededFault](t, err).ErrorMessage(); !strings.Contains(msg, "2 long polls") {
			t.Errorf("fault: %s", msg)
		}
		polls.release(d)
	})
	t.Run("per user", func(t *testing.T) {
		t.Parallel()
		d := authFixture(t, func(c *server.Config) { c.MaxPollsPerUser = 2 })
		polls := holdPolls(t, d, 2)
		_, err := d.Client.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String("third")}})
		if msg := wantFault[*types.LimitExceededFault](t, err).ErrorMessage(); !strings.Contains(msg, "User admin") {
			t.Errorf("fault: %s", msg)
		}
		// Another user polls on.
		worker := d.ClientAs("AKIDWORKER", "worker-secret")
		d.PollActivityAsync(worker, swftest.WorkerList) // ended by the release, as the held polls
		swftest.WaitFor(t, "three polls to wait", func() bool { return waitingPolls(t, d.Server) == 3 })
		polls.release(d)
	})
}

// heldPolls are long polls waiting on distinct task lists.
type heldPolls struct{ wg *sync.WaitGroup }

// holdPolls starts n polls on n task lists and waits until they wait.
func holdPolls(t *testing.T, d *swftest.Domain, n int) heldPolls {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, cancel := context.WithTimeout(ctx, swftest.PollTimeout)
			defer cancel()
			if _, err := d.Client.PollForActivityTask(c, &swf.PollForActivityTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(fmt.Sprint("list-", i))}}); err != nil {
				t.Error(err)
			}
		})
	}
	swftest.WaitFor(t, "the held polls to wait", func() bool { return waitingPolls(t, d.Server) == n })
	return heldPolls{&wg}
}

// release ends the polls by moving the clock past their wait.
func (p heldPolls) release(d *swftest.Domain) {
	d.Clock.Advance(2 * time.Minute)
	p.wg.Wait()
}

// Refused signatures and denied calls leave an audit line at info that
// says who, with which key, what and why, and never the secret.
func TestAuditLines(t *testing.T) {
	t.Parallel()
	var logs swftest.Log
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	d := authFixture(t, func(c *server.Config) { c.Logger = log })
	_, err := d.ClientAs("AKIDREADER", "not-the-secret").DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String(d.Name)})
	wantCode(t, err, "InvalidSignatureException")
	_, err = d.ClientAs("AKIDREADER", "reader-secret").DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String(d.Name)})
	wantFault[*types.OperationNotPermittedFault](t, err)
	out := logs.String()
	for _, want := range []string{
		`msg="signature refused" user=reader accessKeyId=AKIDREADER operation=DescribeDomain`,
		`code=InvalidSignatureException`,
		`msg="call denied" user=reader accessKeyId=AKIDREADER operation=DeprecateDomain action=swf:DeprecateDomain resource=arn:aws:swf:us-east-1:123456789012:/domain/wf`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
	for _, secret := range []string{"reader-secret", "not-the-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds a secret:\n%s", out)
		}
	}
}

// At most MaxConnections are open at once: another waits to be accepted
// until one closes.
func TestConnectionCap(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.MaxConnections = 2 }))
	first, _ := dial(t, s), dial(t, s)
	healthz := "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
	for _, c := range []net.Conn{first} {
		io.WriteString(c, healthz)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		must(t, err)
		resp.Body.Close()
	}
	third := dial(t, s)
	io.WriteString(third, healthz)
	third.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	br := bufio.NewReader(third)
	if _, err := http.ReadResponse(br, nil); err == nil {
		t.Fatal("a third connection was served while two were open")
	}
	first.Close()
	third.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	must(t, err)
	if resp.StatusCode != 200 {
		t.Fatalf("third connection: %d", resp.StatusCode)
	}
}
