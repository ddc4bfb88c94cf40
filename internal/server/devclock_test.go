package server_test

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

// manualDomain is the fixture's domain on a development server whose
// clock is manual: tests move it only through POST /openswf/clock, as a
// user would, and never call the server's Go API to fire timers. Its long
// polls wait 50 ms of real time, so that a poll that finds no task says so
// at once.
func manualDomain(t *testing.T, opts ...swftest.Option) *swftest.Domain {
	t.Helper()
	return swftest.NewDomain(t, append([]swftest.Option{swftest.WithConfig(func(c *server.Config) {
		c.ManualClock, c.Dev = true, true
		c.LongPollWait = 50 * time.Millisecond
	})}, opts...)...)
}

// wantNoWorkerTask asserts that a poll of the worker list finds no task:
// one there would be handed out at once, and the server answers an empty
// poll after its long-poll wait.
func wantNoWorkerTask(d *swftest.Domain) {
	t := d.T()
	t.Helper()
	c, cancel := context.WithTimeout(ctx, swftest.PollTimeout)
	defer cancel()
	out, err := d.Client.PollForActivityTask(c, &swf.PollForActivityTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(swftest.WorkerList)}, Identity: aws.String("late-worker")})
	must(t, err)
	if out.TaskToken != nil {
		t.Fatalf("a poll of %s got activity task %s (started event %d)", swftest.WorkerList, aws.ToString(out.ActivityId), out.StartedEventId)
	}
}

// scheduleOn starts a run and has its first decision schedule an activity
// a1 with the timeouts given (schedule to start, schedule to close, start
// to close, heartbeat): events 1-4 are the first decision's, 5 the
// ActivityTaskScheduled.
func scheduleOn(d *swftest.Domain, workflowID, s2s, s2c, stc, hb string) *types.WorkflowExecution {
	d.T().Helper()
	ex := d.Start(workflowID)
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1", func(a *types.ScheduleActivityTaskDecisionAttributes) {
		a.ScheduleToStartTimeout, a.ScheduleToCloseTimeout, a.StartToCloseTimeout, a.HeartbeatTimeout = aws.String(s2s), aws.String(s2c), aws.String(stc), aws.String(hb)
	}))
	return ex
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
func moveClock(d *swftest.Domain, body string, want time.Time) {
	t := d.T()
	t.Helper()
	status, out := devPost(t, d.URL(), server.ClockPath, body)
	if status != http.StatusOK {
		t.Fatalf("POST %s %s: %d %v", server.ClockPath, body, status, out)
	}
	if got, err := time.Parse(time.RFC3339Nano, out["now"]); err != nil || !got.Equal(want) {
		t.Fatalf("POST %s %s: the clock reads %q, want %v", server.ClockPath, body, out["now"], want)
	}
}

// activityTimedOutIn asserts that the run's activity a1 (event 5) timed
// out, stamped with the time the timeout fell due, atSec seconds after the
// epoch.
func activityTimedOutIn(d *swftest.Domain, ex *types.WorkflowExecution, atSec int, timeout types.ActivityTaskTimeoutType, started int64, details *string) {
	t := d.T()
	t.Helper()
	e := d.LastEvent(ex, types.EventTypeActivityTaskTimedOut)
	if ts, want := aws.ToTime(e.EventTimestamp), swftest.At(time.Duration(atSec)*time.Second); !ts.Equal(want) {
		t.Fatalf("ActivityTaskTimedOut at %v, want %v: the timeout fired when the clock passed it, not when it fell due", ts, want)
	}
	a := e.ActivityTaskTimedOutEventAttributes
	if a.TimeoutType != timeout || a.ScheduledEventId != 5 || a.StartedEventId != started {
		t.Fatalf("ActivityTaskTimedOut: timeoutType %s scheduledEventId %d startedEventId %d, want %s 5 %d", a.TimeoutType, a.ScheduledEventId, a.StartedEventId, timeout, started)
	}
	if (a.Details == nil) != (details == nil) || aws.ToString(a.Details) != aws.ToString(details) {
		t.Fatalf("ActivityTaskTimedOut details %q (set %v), want %q (set %v)", aws.ToString(a.Details), a.Details != nil, aws.ToString(details), details != nil)
	}
}

// Each of SWF's six timeouts, driven by the manual clock over HTTP: one
// call moves the clock past it, and when the call returns the timeout has
// fired, stamped with the time it fell due, however far past it the clock
// was moved.
func TestManualClockDrivesEachTimeout(t *testing.T) {
	t.Parallel()
	t.Run("ActivityScheduleToStart", func(t *testing.T) {
		t.Parallel()
		d := manualDomain(t)
		ex := scheduleOn(d, "a", "60", "600", "300", "30")
		moveClock(d, `{"advance": "90s"}`, swftest.At(90*time.Second))
		activityTimedOutIn(d, ex, 60, types.ActivityTaskTimeoutTypeScheduleToStart, 0, nil)
		wantNoWorkerTask(d)
	})
	t.Run("ActivityStartToClose", func(t *testing.T) {
		t.Parallel()
		d := manualDomain(t)
		ex := scheduleOn(d, "a", "60", "600", "300", "NONE")
		task := d.PollActivity()
		moveClock(d, `{"advance": "7m"}`, swftest.At(420*time.Second))
		activityTimedOutIn(d, ex, 300, types.ActivityTaskTimeoutTypeStartToClose, task.StartedEventId, nil)
		wantActivityGone(d, task.TaskToken, "Unknown activity, scheduledEventId = 5")
	})
	t.Run("ActivityScheduleToClose", func(t *testing.T) {
		t.Parallel()
		d := manualDomain(t)
		ex := scheduleOn(d, "a", "60", "100", "300", "NONE")
		task := d.PollActivity()
		moveClock(d, `{"advance": "1h"}`, swftest.At(3600*time.Second))
		activityTimedOutIn(d, ex, 100, types.ActivityTaskTimeoutTypeScheduleToClose, task.StartedEventId, nil)
	})
	t.Run("ActivityHeartbeat", func(t *testing.T) {
		t.Parallel()
		d := manualDomain(t)
		ex := scheduleOn(d, "a", "60", "600", "300", "30")
		task := d.PollActivity()
		_, err := d.Heartbeat(task.TaskToken, aws.String("50%"))
		must(t, err)
		moveClock(d, `{"advance": "20s"}`, swftest.At(20*time.Second))
		_, err = d.Heartbeat(task.TaskToken, aws.String("75%"))
		must(t, err)
		// The heartbeat timer falls due at 30 s, finds the heartbeat of
		// 20 s and waits again, to 50 s: both within this one call.
		moveClock(d, `{"advance": "5m"}`, swftest.At(320*time.Second))
		activityTimedOutIn(d, ex, 50, types.ActivityTaskTimeoutTypeHeartbeat, task.StartedEventId, aws.String("75%"))
	})
	t.Run("DecisionStartToClose", func(t *testing.T) {
		t.Parallel()
		d := manualDomain(t)
		ex := d.Start("w")
		d.PollDecision()
		moveClock(d, `{"advance": "45s"}`, swftest.At(45*time.Second))
		h := d.WantHistory(ex, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeDecisionTaskStarted, types.EventTypeDecisionTaskTimedOut, types.EventTypeDecisionTaskScheduled)
		swftest.WantAt(t, h[3], swftest.At(30*time.Second))
		d.PollDecision() // the new decision task is there at once
	})
	t.Run("WorkflowExecutionStartToClose", func(t *testing.T) {
		t.Parallel()
		d := manualDomain(t)
		ex := d.Start("w")
		moveClock(d, `{"set": "`+swftest.At(7200*time.Second).Format(time.RFC3339)+`"}`, swftest.At(7200*time.Second))
		h := d.WantHistory(ex, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled, types.EventTypeWorkflowExecutionTimedOut)
		swftest.WantAt(t, h[2], swftest.At(3600*time.Second))
		if st := d.Describe(ex).ExecutionInfo.ExecutionStatus; st != types.ExecutionStatusClosed {
			t.Fatalf("the run is %s after its timeout", st)
		}
	})
}

// A seven-day timer fires on "7d", then the run's retention purges it on
// the next day: a week and a day of a workflow's life in two calls.
func TestManualClockTimerAndRetention(t *testing.T) {
	t.Parallel()
	d := manualDomain(t)
	ex := d.Start("w", func(in *swf.StartWorkflowExecutionInput) { in.ExecutionStartToCloseTimeout = aws.String("1209600") })
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.StartTimer("week", "604800"))
	moveClock(d, `{"advance": "7d"}`, swftest.At(604800*time.Second))
	swftest.WantAt(t, d.LastEvent(ex, types.EventTypeTimerFired), swftest.At(604800*time.Second))
	d.Decide(d.PollDecision().TaskToken, swftest.CompleteWorkflow("done"))
	closed := swftest.At(604800 * time.Second)

	// The domain keeps closed runs for 1 day.
	moveClock(d, `{"advance": "23h"}`, closed.Add(23*time.Hour))
	d.Describe(ex)
	moveClock(d, `{"advance": "1h"}`, closed.Add(24*time.Hour))
	_, err := d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: ex})
	wantFault[*types.UnknownResourceFault](t, err)
}

// The clock endpoint refuses what it cannot do, naming why, and moves
// nothing.
func TestManualClockRefusals(t *testing.T) {
	t.Parallel()
	d := manualDomain(t)
	moveClock(d, `{"advance": "10m"}`, swftest.At(600*time.Second))
	for body, want := range map[string]string{
		`{"set": "` + swftest.Epoch.Format(time.RFC3339) + `"}`: "never goes back",
		`{"advance": "-1s"}`:  "advance",
		`{"advance": "soon"}`: "advance",
		`{"set": "tomorrow"}`: "set",
		`{}`:                  "one of advance",
		`{"advance": "1s", "set": "2027-01-01T00:00:00Z"}`: "one of advance",
		`{"forward": "1s"}`: "unknown field",
		`not json`:          "the body must be",
	} {
		status, out := devPost(t, d.URL(), server.ClockPath, body)
		if status != http.StatusBadRequest || !strings.Contains(out["message"], want) {
			t.Errorf("POST %s: %d %v; want 400 saying %q", body, status, out, want)
		}
	}
	moveClock(d, `{"advance": "0s"}`, swftest.At(600*time.Second))

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
	d := manualDomain(t, swftest.WithConfig(func(c *server.Config) { c.LongPollWait = 50 * time.Millisecond }))
	c, cancel := context.WithTimeout(ctx, swftest.PollTimeout)
	defer cancel()
	began := time.Now()
	out, err := d.Client.PollForActivityTask(c, &swf.PollForActivityTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(swftest.WorkerList)}})
	must(t, err)
	if out.TaskToken != nil || time.Since(began) < 50*time.Millisecond {
		t.Fatalf("the poll answered after %v with task %v", time.Since(began), out.TaskToken)
	}
}

// A development server's reset leaves nothing behind: no domain, no run,
// no task, no timer; names are free again, and moto's reset path does the
// same.
func TestDevReset(t *testing.T) {
	t.Parallel()
	d := manualDomain(t)
	ex := d.Start("w")
	d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"))
	task := d.PollActivity()
	registerDomain(t, d.Client, "other")
	for _, path := range []string{server.ResetPath, server.MotoResetPath} {
		status, out := devPost(t, d.URL(), path, "")
		if status != http.StatusOK || out["status"] != "ok" {
			t.Fatalf("POST %s: %d %v", path, status, out)
		}
		for _, st := range []types.RegistrationStatus{types.RegistrationStatusRegistered, types.RegistrationStatusDeprecated} {
			out, err := d.Client.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: st})
			must(t, err)
			if len(out.DomainInfos) != 0 {
				t.Fatalf("after POST %s, %s domains: %v", path, st, domainNames(out.DomainInfos))
			}
		}
		_, err := d.Client.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(d.Name), Execution: ex})
		wantFault[*types.UnknownResourceFault](t, err)

		// The same names register again, and what was pending is gone: the
		// old run's activity task and its timeouts.
		registerDomain(t, d.Client, "wf")
		wantNoWorkerTask(d)
		moveClock(d, `{"advance": "2h"}`, d.Now().Add(2*time.Hour))
		if n := d.PendingActivities(swftest.WorkerList); n != 0 {
			t.Fatalf("%d activity tasks pending after the reset", n)
		}
		must(t, d.RegisterTypes())
		ex = d.Start("w")
		d.Decide(d.PollDecision().TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"))

		// A worker's token from before the reset names nothing after it,
		// though the new run may have the old one's ids.
		fresh := d.PollActivity()
		_, err = d.Heartbeat(task.TaskToken, nil)
		wantFault[*types.UnknownResourceFault](t, err)
		_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: task.TaskToken})
		wantFault[*types.UnknownResourceFault](t, err)
		_, err = d.Heartbeat(fresh.TaskToken, nil)
		must(t, err)
		task = fresh
	}

	// A server that is not in dev mode has no reset.
	plain := swftest.NewDomain(t)
	status, out := devPost(t, plain.URL(), server.ResetPath, "")
	if status != http.StatusNotFound || !strings.Contains(out["message"], "openswf dev") {
		t.Fatalf("reset on a server not in dev mode: %d %v", status, out)
	}
	plain.Describe(plain.Start("still-here"))
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
	d := manualDomain(t, swftest.WithConfig(func(c *server.Config) { c.Auth = a }))
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
		before := d.Now()
		status, out := devPost(t, d.URL(), c.path, `{"advance": "1m"}`, c.as...)
		if status != c.want || !strings.Contains(out["message"]+out["__type"], c.says) {
			t.Errorf("%s: %d %v; want %d saying %q", c.name, status, out, c.want, c.says)
		}
		if moved := !d.Now().Equal(before); moved != (status == http.StatusOK && c.path == server.ClockPath) {
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
