package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// manualFixture is the workflow fixture on a development server whose
// clock is manual: tests move it only through POST /openswf/clock, as a
// user would, and never call the server's Go API to fire timers.
func manualFixture(t *testing.T, opts ...swftest.Option) *fixture {
	t.Helper()
	return newFixture(t, append([]swftest.Option{swftest.WithConfig(func(c *server.Config) { c.ManualClock, c.Dev = true, true })}, opts...)...)
}

// devPost posts body to one of the server's development endpoints and
// returns the status and the decoded JSON answer.
func devPost(t testing.TB, url, path, body string, auth ...func(*http.Request)) (int, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	for _, a := range auth {
		a(req)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("POST %s answered %d with a body that is not a JSON object: %s", path, resp.StatusCode, b)
	}
	out := map[string]string{}
	for k, v := range raw {
		out[k] = fmt.Sprint(v)
	}
	return resp.StatusCode, out
}

// moveClock moves the server's clock through the HTTP endpoint and checks
// that it answers the new time.
func (f *fixture) moveClock(body string, want time.Time) {
	f.t.Helper()
	status, out := devPost(f.t, f.URL(), server.ClockPath, body)
	if status != http.StatusOK {
		f.t.Fatalf("POST %s %s: %d %v", server.ClockPath, body, status, out)
	}
	if got, err := time.Parse(time.RFC3339Nano, out["now"]); err != nil || !got.Equal(want) {
		f.t.Fatalf("POST %s %s: the clock reads %q, want %v", server.ClockPath, body, out["now"], want)
	}
}

func activityTimedOutIn(f *fixture, ex *types.WorkflowExecution, atSec int, timeout types.ActivityTaskTimeoutType, started int64, details *string) {
	f.t.Helper()
	e := f.lastEvent(ex, types.EventTypeActivityTaskTimedOut)
	if ts := aws.ToTime(e.EventTimestamp); !ts.Equal(tmAt(atSec)) {
		f.t.Fatalf("ActivityTaskTimedOut at %v, want %v: the timeout fired when the clock passed it, not when it fell due", ts, tmAt(atSec))
	}
	f.tmActivityTimedOut(e, timeout, 5, started, details)
}

// Each of SWF's six timeouts, driven by the manual clock over HTTP: one
// call moves the clock past it, and when the call returns the timeout has
// fired, stamped with the time it fell due, however far past it the clock
// was moved.
func TestManualClockDrivesEachTimeout(t *testing.T) {
	t.Parallel()
	t.Run("ActivityScheduleToStart", func(t *testing.T) {
		t.Parallel()
		f := manualFixture(t)
		ex := f.tmScheduled("a", scheduleActivity("a1", tmTimeouts("60", "600", "300", "30")))
		f.moveClock(`{"advance": "90s"}`, tmAt(90))
		activityTimedOutIn(f, ex, 60, types.ActivityTaskTimeoutTypeScheduleToStart, 0, nil)
		f.tmNoActivityTask(workerList)
	})
	t.Run("ActivityStartToClose", func(t *testing.T) {
		t.Parallel()
		f := manualFixture(t)
		ex := f.tmScheduled("a", scheduleActivity("a1", tmTimeouts("60", "600", "300", "NONE")))
		task := f.activity()
		f.moveClock(`{"advance": "7m"}`, tmAt(420))
		activityTimedOutIn(f, ex, 300, types.ActivityTaskTimeoutTypeStartToClose, task.StartedEventId, nil)
		f.tmTokenDead(task.TaskToken)
	})
	t.Run("ActivityScheduleToClose", func(t *testing.T) {
		t.Parallel()
		f := manualFixture(t)
		ex := f.tmScheduled("a", scheduleActivity("a1", tmTimeouts("60", "100", "300", "NONE")))
		task := f.activity()
		f.moveClock(`{"advance": "1h"}`, tmAt(3600))
		activityTimedOutIn(f, ex, 100, types.ActivityTaskTimeoutTypeScheduleToClose, task.StartedEventId, nil)
	})
	t.Run("ActivityHeartbeat", func(t *testing.T) {
		t.Parallel()
		f := manualFixture(t)
		ex := f.tmScheduled("a", scheduleActivity("a1", tmTimeouts("60", "600", "300", "30")))
		task := f.activity()
		must(t, f.tmHeartbeat(task.TaskToken, aws.String("50%")))
		f.moveClock(`{"advance": "20s"}`, tmAt(20))
		must(t, f.tmHeartbeat(task.TaskToken, aws.String("75%")))
		// The heartbeat timer falls due at 30 s, finds the heartbeat of
		// 20 s and waits again, to 50 s: both within this one call.
		f.moveClock(`{"advance": "5m"}`, tmAt(320))
		activityTimedOutIn(f, ex, 50, types.ActivityTaskTimeoutTypeHeartbeat, task.StartedEventId, aws.String("75%"))
	})
	t.Run("DecisionStartToClose", func(t *testing.T) {
		t.Parallel()
		f := manualFixture(t)
		ex := f.start("w")
		f.decision()
		f.moveClock(`{"advance": "45s"}`, tmAt(45))
		h := f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskTimedOut", "DecisionTaskScheduled")
		f.tmEventAt(h, 4, types.EventTypeDecisionTaskTimedOut, tmAt(30))
		f.decision() // the new decision task is there at once
	})
	t.Run("WorkflowExecutionStartToClose", func(t *testing.T) {
		t.Parallel()
		f := manualFixture(t)
		ex := f.start("w")
		f.moveClock(`{"set": "`+tmAt(7200).Format(time.RFC3339)+`"}`, tmAt(7200))
		h := f.tmHistory(ex, "WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionTimedOut")
		f.tmEventAt(h, 3, types.EventTypeWorkflowExecutionTimedOut, tmAt(3600))
		if st := f.describe(ex).ExecutionInfo.ExecutionStatus; st != types.ExecutionStatusClosed {
			t.Fatalf("the run is %s after its timeout", st)
		}
	})
}

// A seven-day timer fires on "7d", then the run's retention purges it on
// the next day: a week and a day of a workflow's life in two calls.
func TestManualClockTimerAndRetention(t *testing.T) {
	t.Parallel()
	f := manualFixture(t)
	ex := f.start("w", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("1209600") })
	d := f.decision()
	f.decide(d.TaskToken, types.Decision{DecisionType: types.DecisionTypeStartTimer,
		StartTimerDecisionAttributes: &types.StartTimerDecisionAttributes{TimerId: aws.String("week"), StartToFireTimeout: aws.String("604800")}})
	f.moveClock(`{"advance": "7d"}`, tmAt(604800))
	fired := f.lastEvent(ex, types.EventTypeTimerFired)
	if ts := aws.ToTime(fired.EventTimestamp); !ts.Equal(tmAt(604800)) {
		t.Fatalf("TimerFired at %v, want %v", ts, tmAt(604800))
	}
	d = f.decision()
	f.decide(d.TaskToken, completeWorkflow("done"))
	closed := tmAt(604800)

	// The domain keeps closed runs for 1 day.
	f.moveClock(`{"advance": "23h"}`, closed.Add(23*time.Hour))
	f.describe(ex)
	f.moveClock(`{"advance": "1h"}`, closed.Add(24*time.Hour))
	_, err := f.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: f.domain, Execution: ex})
	wantFault[*types.UnknownResourceFault](t, err)
}

// The clock endpoint refuses what it cannot do, naming why, and moves
// nothing.
func TestManualClockRefusals(t *testing.T) {
	t.Parallel()
	f := manualFixture(t)
	f.moveClock(`{"advance": "10m"}`, tmAt(600))
	for body, want := range map[string]string{
		`{"set": "` + tmAt(0).Format(time.RFC3339) + `"}`: "never goes back",
		`{"advance": "-1s"}`:                              "advance",
		`{"advance": "soon"}`:                             "advance",
		`{"set": "tomorrow"}`:                             "set",
		`{}`:                                              "one of advance",
		`{"advance": "1s", "set": "2027-01-01T00:00:00Z"}`: "one of advance",
		`{"forward": "1s"}`: "unknown field",
		`not json`:          "the body must be",
	} {
		status, out := devPost(t, f.URL(), server.ClockPath, body)
		if status != http.StatusBadRequest || !strings.Contains(out["message"], want) {
			t.Errorf("POST %s: %d %v; want 400 saying %q", body, status, out, want)
		}
	}
	f.moveClock(`{"advance": "0s"}`, tmAt(600))

	// A server on the wall clock says how to get a manual one.
	real := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.Clock = nil }))
	status, out := devPost(t, real.URL(), server.ClockPath, `{"advance": "1s"}`)
	if status != http.StatusConflict || !strings.Contains(out["message"], "--clock manual") {
		t.Errorf("advancing a real clock: %d %v", status, out)
	}
}

// Long polls of a server with a manual clock end after LongPollWait of
// real time, though its clock does not move.
func TestManualClockLongPollsWaitOnRealTime(t *testing.T) {
	t.Parallel()
	f := manualFixture(t, swftest.WithConfig(func(c *server.Config) { c.LongPollWait = 200 * time.Millisecond }))
	began := time.Now()
	out, err := f.c.PollForActivityTask(pollCtx(t), &swf.PollForActivityTaskInput{Domain: f.domain, TaskList: &types.TaskList{Name: aws.String(workerList)}})
	must(t, err)
	if out.TaskToken != nil || time.Since(began) < 200*time.Millisecond {
		t.Fatalf("the poll answered after %v with task %v", time.Since(began), out.TaskToken)
	}
}

// A development server's reset leaves nothing behind: no domain, no run,
// no task, no timer; names are free again, and moto's reset path does the
// same.
func TestDevReset(t *testing.T) {
	t.Parallel()
	f := manualFixture(t)
	ex := f.tmScheduled("w", scheduleActivity("a1"), scheduleActivity("a2"))
	task := f.activity()
	registerDomain(t, f.c, "other")
	for _, path := range []string{server.ResetPath, server.MotoResetPath} {
		status, out := devPost(t, f.URL(), path, "")
		if status != http.StatusOK || out["status"] != "ok" {
			t.Fatalf("POST %s: %d %v", path, status, out)
		}
		for _, st := range []types.RegistrationStatus{types.RegistrationStatusRegistered, types.RegistrationStatusDeprecated} {
			out, err := f.c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: st})
			must(t, err)
			if len(out.DomainInfos) != 0 {
				t.Fatalf("after POST %s, %s domains: %v", path, st, domainNames(out.DomainInfos))
			}
		}
		_, err := f.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: f.domain, Execution: ex})
		wantFault[*types.UnknownResourceFault](t, err)

		// The same names register again, and what was pending is gone: the
		// old run's activity task and its timeouts.
		registerDomain(t, f.c, "wf")
		f.tmNoActivityTask(workerList)
		f.moveClock(`{"advance": "2h"}`, f.Now().Add(2*time.Hour))
		if n := f.tmPending("activity", workerList); n != 0 {
			t.Fatalf("%d activity tasks pending after the reset", n)
		}
		must(t, f.registerTypes())
		ex = f.tmScheduled("w", scheduleActivity("a1"), scheduleActivity("a2"))

		// A worker's token from before the reset names nothing after it,
		// though the new run may have the old one's ids.
		fresh := f.activity()
		wantFault[*types.UnknownResourceFault](t, f.tmHeartbeat(task.TaskToken, nil))
		_, err = f.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken})
		wantFault[*types.UnknownResourceFault](t, err)
		must(t, f.tmHeartbeat(fresh.TaskToken, nil))
		task = fresh
	}

	// A server that is not in dev mode has no reset.
	plain := newFixture(t)
	status, out := devPost(t, plain.URL(), server.ResetPath, "")
	if status != http.StatusNotFound || !strings.Contains(out["message"], "openswf dev") {
		t.Fatalf("reset on a server not in dev mode: %d %v", status, out)
	}
	plain.describe(plain.start("still-here"))
}

// With a users file, moving the clock and resetting need openswf's own
// permissions, which "swf:*" does not grant; the caller signs as SDKs do,
// naming the action in a signed X-Amz-Target. A secret sent as HTTP Basic
// credentials is refused, whatever it is: there is nothing to guess against.
func TestDevEndpointsNeedAdminPermission(t *testing.T) {
	t.Parallel()
	var file auth.File
	must(t, json.Unmarshal([]byte(`{"users": [
	  {"name": "admin", "accessKeys": [{"accessKeyId": "`+swftest.AccessKeyID+`", "secretAccessKey": "`+swftest.SecretAccessKey+`"}],
	   "policies": [{"Statement": [{"Effect": "Allow", "Action": ["swf:*", "openswf:*"], "Resource": "*"}]}]},
	  {"name": "dev", "accessKeys": [{"accessKeyId": "AKIDDEV", "secretAccessKey": "dev-secret"}],
	   "policies": [{"Statement": [{"Effect": "Allow", "Action": "swf:*", "Resource": "*"}]}]}]}`), &file))
	a, err := auth.New(&file, server.DefaultRegion, server.DefaultAccountID)
	must(t, err)
	f := manualFixture(t, swftest.WithConfig(func(c *server.Config) { c.Auth = a }))
	basic := func(id, secret string) func(*http.Request) {
		return func(r *http.Request) { r.SetBasicAuth(id, secret) }
	}
	signed := func(id, secret, target string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set("X-Amz-Target", target)
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			sum := sha256.Sum256(body)
			must(t, v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}, r, hex.EncodeToString(sum[:]), "swf", server.DefaultRegion, time.Now()))
		}
	}
	clockTarget, resetTarget := server.AdminTarget(server.ActionAdvanceClock), server.AdminTarget(server.ActionReset)
	for _, c := range []struct {
		name, path string
		as         []func(*http.Request)
		want       int
		says       string
	}{
		{"unsigned clock", server.ClockPath, nil, http.StatusForbidden, "MissingAuthenticationToken"},
		{"clock by the admin's secret as HTTP Basic", server.ClockPath, []func(*http.Request){basic(swftest.AccessKeyID, swftest.SecretAccessKey)}, http.StatusForbidden, "MissingAuthenticationToken"},
		{"clock signed by a user with swf:*", server.ClockPath, []func(*http.Request){signed("AKIDDEV", "dev-secret", clockTarget)}, http.StatusForbidden, "not authorized to perform: openswf:AdvanceClock"},
		{"clock signed with a wrong secret", server.ClockPath, []func(*http.Request){signed(swftest.AccessKeyID, "guess", clockTarget)}, http.StatusForbidden, "InvalidSignature"},
		{"reset signed by a user with swf:*", server.ResetPath, []func(*http.Request){signed("AKIDDEV", "dev-secret", resetTarget)}, http.StatusForbidden, "openswf:Reset"},
		{"clock signed by the admin as a reset", server.ClockPath, []func(*http.Request){signed(swftest.AccessKeyID, swftest.SecretAccessKey, resetTarget)}, http.StatusBadRequest, "OpenSWF.AdvanceClock"},
		{"clock signed by the admin", server.ClockPath, []func(*http.Request){signed(swftest.AccessKeyID, swftest.SecretAccessKey, clockTarget)}, http.StatusOK, ""},
		{"reset signed by the admin", server.MotoResetPath, []func(*http.Request){signed(swftest.AccessKeyID, swftest.SecretAccessKey, resetTarget)}, http.StatusOK, ""},
	} {
		before := f.Now()
		status, out := devPost(t, f.URL(), c.path, `{"advance": "1m"}`, c.as...)
		if status != c.want || !strings.Contains(out["message"]+out["__type"], c.says) {
			t.Errorf("%s: %d %v; want %d saying %q", c.name, status, out, c.want, c.says)
		}
		if moved := !f.Now().Equal(before); moved != (status == http.StatusOK && c.path == server.ClockPath) {
			t.Errorf("%s: the clock moved: %v", c.name, moved)
		}
	}
}

// GET / tells API clients, in JSON, where everything is, the clock and the
// reset included when the server has them.
func TestFrontPage(t *testing.T) {
	t.Parallel()
	for _, dev := range []bool{false, true} {
		s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.ManualClock, c.Dev = dev, dev }))
		resp, err := http.Get(s.URL() + "/")
		must(t, err)
		var l server.Links
		err = json.NewDecoder(resp.Body).Decode(&l)
		resp.Body.Close()
		must(t, err)
		want := server.Links{Endpoint: s.URL(), Console: s.URL() + "/console/", Metrics: s.URL() + "/metrics", Health: s.URL() + "/healthz"}
		if dev {
			want.Clock, want.Reset = s.URL()+server.ClockPath, s.URL()+server.ResetPath
		}
		if l.Endpoint != want.Endpoint || l.Console != want.Console || l.Metrics != want.Metrics || l.Health != want.Health || l.Clock != want.Clock || l.Reset != want.Reset ||
			!strings.Contains(l.TryCLI, "--endpoint-url "+s.URL()) {
			t.Errorf("dev %v: GET / = %+v", dev, l)
		}
	}
}
