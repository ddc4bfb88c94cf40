package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// rawAnswer is a raw answer: the status and the JSON body.
type rawAnswer struct {
	status int
	body   map[string]any
}

// rawPost sends a raw request without failing the test, so that it can
// run in another goroutine.
func rawPost(url, op, body string) func() (rawAnswer, error) {
	return func() (rawAnswer, error) {
		req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
		if err != nil {
			return rawAnswer{}, err
		}
		req.Header.Set("X-Amz-Target", "SimpleWorkflowService."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return rawAnswer{}, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return rawAnswer{}, err
		}
		a := rawAnswer{status: resp.StatusCode}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&a.body); err != nil {
			return a, fmt.Errorf("%s answered %d with %q: %v", op, resp.StatusCode, b, err)
		}
		return a, nil
	}
}

func TestEmptyPollAnswersAfterTheWait(t *testing.T) {
	t.Parallel()
	const wait = 20 * time.Second
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) { c.LongPollWait = wait }))
	// No run exists, so no durable timer: the clock's waiters are the polls.
	raw := d.URL()
	decision := swftest.Async(rawPost(raw, "PollForDecisionTask", `{"domain":"wf","taskList":{"name":"deciders"},"identity":"d"}`))
	activity := swftest.Async(rawPost(raw, "PollForActivityTask", `{"domain":"wf","taskList":{"name":"workers"},"identity":"w"}`))
	sdkDecision := d.PollDecisionAsync(d.NewClient(), swftest.DeciderList)
	sdkActivity := d.PollActivityAsync(d.NewClient(), swftest.WorkerList)
	d.WaitClockWaiters(4)

	d.Clock.Advance(wait - time.Millisecond)
	if n := d.Clock.Waiters(); n != 4 {
		t.Fatalf("%d polls still wait a millisecond before the end of their wait, want 4", n)
	}
	swftest.Pending(t, decision, "decision poll")
	swftest.Pending(t, activity, "activity poll")
	swftest.Pending(t, sdkDecision, "decision poll")
	swftest.Pending(t, sdkActivity, "activity poll")

	d.Clock.Advance(time.Millisecond)
	want := map[string]map[string]any{
		"PollForDecisionTask": {"startedEventId": json.Number("0"), "previousStartedEventId": json.Number("0")},
		"PollForActivityTask": {"startedEventId": json.Number("0")},
	}
	for op, ch := range map[string]<-chan swftest.Result[rawAnswer]{"PollForDecisionTask": decision, "PollForActivityTask": activity} {
		a := swftest.Await(t, ch)
		if a.status != 200 {
			t.Errorf("%s: status %d", op, a.status)
		}
		if _, ok := a.body["taskToken"]; ok {
			t.Errorf("%s: empty answer has a taskToken: %v", op, a.body)
		}
		if fmt.Sprint(a.body) != fmt.Sprint(want[op]) {
			t.Errorf("%s: empty answer %v, want %v", op, a.body, want[op])
		}
	}
	if task := swftest.Await(t, sdkDecision); task.TaskToken != nil || task.StartedEventId != 0 || task.PreviousStartedEventId != 0 || len(task.Events) != 0 {
		t.Errorf("empty decision poll through the SDK: %+v", task)
	}
	if a := swftest.Await(t, sdkActivity); a.TaskToken != nil || a.StartedEventId != 0 || a.ActivityId != nil {
		t.Errorf("empty activity poll through the SDK: %+v", a)
	}
	if n := d.Clock.Waiters(); n != 0 {
		t.Errorf("%d timers still wait after the polls answered", n)
	}
}

func TestWaitingPollGetsANewTaskAtOnce(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	decision := d.PollDecisionAsync(d.NewClient(), swftest.DeciderList)
	d.WaitClockWaiters(1)
	ex := d.Start("at-once")
	task := swftest.Await(t, decision)
	if task.TaskToken == nil || aws.ToString(task.WorkflowExecution.RunId) != aws.ToString(ex.RunId) || task.StartedEventId != 3 {
		t.Fatalf("decision task: %+v", task)
	}

	// The run has durable timers now, so the timer loop waits on the clock
	// too: one timer for it and one for the poll.
	activity := d.PollActivityAsync(d.NewClient(), swftest.WorkerList)
	d.WaitClockWaiters(2)
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"))
	a := swftest.Await(t, activity)
	if aws.ToString(a.ActivityId) != "a1" || a.StartedEventId != 6 {
		t.Fatalf("activity task: %+v", a)
	}
	if now := d.Clock.Now(); !now.Equal(swftest.Epoch) {
		t.Fatalf("the clock moved to %v", now)
	}
}

func TestPollersPerTaskListLimit(t *testing.T) {
	t.Parallel()
	const wait = 10 * time.Second
	d := swftest.NewDomain(t, swftest.WithConfig(func(c *server.Config) {
		c.Limits.PollersPerTaskList = 2
		c.LongPollWait = wait
	}))
	p1 := d.PollDecisionAsync(d.NewClient(), swftest.DeciderList)
	p2 := d.PollDecisionAsync(d.NewClient(), swftest.DeciderList)
	d.WaitClockWaiters(2)

	_, err := d.Client.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}})
	wantFault[*types.LimitExceededFault](t, err)

	// Other lists, and activity tasks of a list of the same name, are
	// counted apart.
	p3 := d.PollActivityAsync(d.NewClient(), swftest.DeciderList)
	p4 := d.PollDecisionAsync(d.NewClient(), "other")
	d.WaitClockWaiters(4)
	if n := d.Clock.Waiters(); n != 4 {
		t.Fatalf("%d polls wait, want 4", n)
	}
	d.Clock.Advance(wait)
	for _, ch := range []<-chan swftest.Result[*swf.PollForDecisionTaskOutput]{p1, p2, p4} {
		if task := swftest.Await(t, ch); task.TaskToken != nil {
			t.Fatalf("decision task: %+v", task)
		}
	}
	if a := swftest.Await(t, p3); a.TaskToken != nil {
		t.Fatalf("activity task: %+v", a)
	}

	// Polls that have answered leave room.
	p5 := d.PollDecisionAsync(d.NewClient(), swftest.DeciderList)
	p6 := d.PollDecisionAsync(d.NewClient(), swftest.DeciderList)
	d.WaitClockWaiters(2)
	ex := d.Start("room")
	d.Start("more room")
	for _, ch := range []<-chan swftest.Result[*swf.PollForDecisionTaskOutput]{p5, p6} {
		if task := swftest.Await(t, ch); task.TaskToken == nil {
			t.Fatalf("no decision task for a waiting poll of run %s", aws.ToString(ex.RunId))
		}
	}
}

func TestOneDecisionTaskAtATime(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("one")
	// Signals while a task is scheduled: still one task.
	d.Signal(ex, "s1")
	d.Signal(ex, "s2")
	d.Signal(ex, "s3")
	d.WantHistoryFrom(ex, 1, types.EventTypeWorkflowExecutionStarted, types.EventTypeDecisionTaskScheduled,
		types.EventTypeWorkflowExecutionSignaled, types.EventTypeWorkflowExecutionSignaled, types.EventTypeWorkflowExecutionSignaled)
	if n := d.PendingDecisions(swftest.DeciderList); n != 1 {
		t.Fatalf("%d pending decision tasks, want 1", n)
	}
	if _, dn := d.OpenCounts(ex); dn != 1 {
		t.Fatalf("%d open decision tasks, want 1", dn)
	}
	task := d.PollDecision()
	if task.StartedEventId != 6 || task.PreviousStartedEventId != 0 || len(task.Events) != 6 {
		t.Fatalf("first task: started %d previous %d events %v", task.StartedEventId, task.PreviousStartedEventId, swftest.EventTypes(task.Events))
	}
	if s := task.Events[5].DecisionTaskStartedEventAttributes; s.ScheduledEventId != 2 || aws.ToString(s.Identity) != "decider" {
		t.Fatalf("DecisionTaskStarted: %+v", s)
	}

	// Signals while it is started: recorded, and no second task until it
	// completes.
	d.Signal(ex, "s4")
	d.Signal(ex, "s5")
	d.WantHistoryFrom(ex, 7, types.EventTypeWorkflowExecutionSignaled, types.EventTypeWorkflowExecutionSignaled)
	if n := d.PendingDecisions(swftest.DeciderList); n != 0 {
		t.Fatalf("%d pending decision tasks while one is started", n)
	}
	if _, dn := d.OpenCounts(ex); dn != 1 {
		t.Fatalf("%d open decision tasks, want 1", dn)
	}
	d.Decide(task.TaskToken)
	h := d.WantHistoryFrom(ex, 9, types.EventTypeDecisionTaskCompleted, types.EventTypeDecisionTaskScheduled)
	if c := h[8].DecisionTaskCompletedEventAttributes; c.ScheduledEventId != 2 || c.StartedEventId != 6 {
		t.Fatalf("DecisionTaskCompleted: %+v", c)
	}
	task = d.PollDecision()
	if task.StartedEventId != 11 || task.PreviousStartedEventId != 6 || len(task.Events) != 11 {
		t.Fatalf("second task: started %d previous %d events %v", task.StartedEventId, task.PreviousStartedEventId, swftest.EventTypes(task.Events))
	}

	// Nothing new while it was started: no further task.
	d.Decide(task.TaskToken)
	d.WantHistoryFrom(ex, 12, types.EventTypeDecisionTaskCompleted)
	if _, dn := d.OpenCounts(ex); dn != 0 {
		t.Fatalf("%d open decision tasks, want 0", dn)
	}
	d.Signal(ex, "s6")
	d.WantHistoryFrom(ex, 13, types.EventTypeWorkflowExecutionSignaled, types.EventTypeDecisionTaskScheduled)
	task = d.PollDecision()
	if task.StartedEventId != 15 || task.PreviousStartedEventId != 11 {
		t.Fatalf("third task: started %d previous %d", task.StartedEventId, task.PreviousStartedEventId)
	}
}

// eventIDs lists the ids of events.
func eventIDs(events []types.HistoryEvent) []int64 {
	var ids []int64
	for _, e := range events {
		ids = append(ids, e.EventId)
	}
	return ids
}

func idRange(from, to int64) []int64 {
	var ids []int64
	if from <= to {
		for i := from; i <= to; i++ {
			ids = append(ids, i)
		}
	} else {
		for i := from; i >= to; i-- {
			ids = append(ids, i)
		}
	}
	return ids
}

// decisionPages polls a decision task and its further pages, checking
// that every page belongs to the same task, and returns the first page and
// the ids of every page.
func decisionPages(d *swftest.Domain, mod func(*swf.PollForDecisionTaskInput)) (*swf.PollForDecisionTaskOutput, [][]int64) {
	t := d.T()
	t.Helper()
	first := d.PollDecisionOn(swftest.DeciderList, mod)
	pages := [][]int64{eventIDs(first.Events)}
	for p := first; p.NextPageToken != nil; {
		p = d.PollDecisionOn(swftest.DeciderList, mod, func(in *swf.PollForDecisionTaskInput) { in.NextPageToken = p.NextPageToken })
		if aws.ToString(p.TaskToken) != aws.ToString(first.TaskToken) || p.StartedEventId != first.StartedEventId || p.PreviousStartedEventId != first.PreviousStartedEventId ||
			aws.ToString(p.WorkflowExecution.RunId) != aws.ToString(first.WorkflowExecution.RunId) || aws.ToString(p.WorkflowExecution.WorkflowId) != aws.ToString(first.WorkflowExecution.WorkflowId) ||
			aws.ToString(p.WorkflowType.Name) != aws.ToString(first.WorkflowType.Name) || aws.ToString(p.WorkflowType.Version) != aws.ToString(first.WorkflowType.Version) {
			t.Fatalf("page %d is not of the same task:\n%+v\n%+v", len(pages)+1, p, first)
		}
		pages = append(pages, eventIDs(p.Events))
		if len(pages) > 100 {
			t.Fatal("pages do not end")
		}
	}
	return first, pages
}

func TestDecisionTaskHistoryPages(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("pages")
	for i := range 20 {
		d.Signal(ex, fmt.Sprintf("s%d", i)) // 3..22
	}
	size := func(n int32) func(*swf.PollForDecisionTaskInput) {
		return func(in *swf.PollForDecisionTaskInput) { in.MaximumPageSize = n }
	}
	first := d.PollDecisionOn(swftest.DeciderList, size(5)) // started 23
	if first.StartedEventId != 23 || first.NextPageToken == nil || !slices.Equal(eventIDs(first.Events), idRange(1, 5)) {
		t.Fatalf("first page: started %d events %v next %v", first.StartedEventId, eventIDs(first.Events), first.NextPageToken)
	}
	// Events after the task started are not part of its pages.
	d.Signal(ex, "after-1") // 24
	d.Signal(ex, "after-2") // 25
	var all []int64
	var sizes []int
	for p := first; ; {
		all = append(all, eventIDs(p.Events)...)
		sizes = append(sizes, len(p.Events))
		if p.NextPageToken == nil {
			if p.Events[len(p.Events)-1].EventType != types.EventTypeDecisionTaskStarted {
				t.Fatalf("last page ends with %s", p.Events[len(p.Events)-1].EventType)
			}
			break
		}
		var err error
		p, err = d.Client.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}, MaximumPageSize: 5, NextPageToken: p.NextPageToken})
		must(t, err)
		if aws.ToString(p.TaskToken) != aws.ToString(first.TaskToken) || p.StartedEventId != 23 || p.PreviousStartedEventId != 0 ||
			aws.ToString(p.WorkflowExecution.RunId) != aws.ToString(ex.RunId) || aws.ToString(p.WorkflowType.Name) != "order" {
			t.Fatalf("page %d is not of the same task: %+v", len(sizes)+1, p)
		}
	}
	if !slices.Equal(all, idRange(1, 23)) || !slices.Equal(sizes, []int{5, 5, 5, 5, 3}) {
		t.Fatalf("pages: sizes %v ids %v", sizes, all)
	}
	// Paging started no other task: the one task is still started.
	if n := d.PendingDecisions(swftest.DeciderList); n != 0 {
		t.Fatalf("%d pending decision tasks", n)
	}
	if _, dn := d.OpenCounts(ex); dn != 1 {
		t.Fatalf("%d open decision tasks", dn)
	}
	// A page token is bound to the arguments it was made with.
	_, err := d.Client.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}, ReverseOrder: true, NextPageToken: first.NextPageToken})
	wantValidation(t, err, "nextPageToken")
	_, err = d.Client.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String("other")}, NextPageToken: first.NextPageToken})
	wantValidation(t, err, "nextPageToken")

	d.Decide(first.TaskToken) // 26, and 27 for the signals it missed

	// Newest first.
	second, pages := decisionPages(d, func(in *swf.PollForDecisionTaskInput) { in.ReverseOrder = true; in.MaximumPageSize = 10 })
	if second.StartedEventId != 28 || second.PreviousStartedEventId != 23 {
		t.Fatalf("second task: started %d previous %d", second.StartedEventId, second.PreviousStartedEventId)
	}
	if want := [][]int64{idRange(28, 19), idRange(18, 9), idRange(8, 1)}; fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Fatalf("reverse pages %v, want %v", pages, want)
	}
	d.Decide(second.TaskToken) // 29
	d.Signal(ex, "s")          // 30, 31

	// From the previous DecisionTaskStarted on.
	third, pages := decisionPages(d, func(in *swf.PollForDecisionTaskInput) { in.StartAtPreviousStartedEvent = true; in.MaximumPageSize = 2 })
	if third.StartedEventId != 32 || third.PreviousStartedEventId != 28 {
		t.Fatalf("third task: started %d previous %d", third.StartedEventId, third.PreviousStartedEventId)
	}
	if want := [][]int64{{28, 29}, {30, 31}, {32}}; fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Fatalf("pages from the previous started event %v, want %v", pages, want)
	}
	if third.Events[0].EventType != types.EventTypeDecisionTaskStarted {
		t.Fatalf("first event %s", third.Events[0].EventType)
	}
	d.Decide(third.TaskToken) // 33
	d.Signal(ex, "s")         // 34, 35

	// Both: newest first, down to the previous DecisionTaskStarted.
	fourth, pages := decisionPages(d, func(in *swf.PollForDecisionTaskInput) {
		in.StartAtPreviousStartedEvent = true
		in.ReverseOrder = true
		in.MaximumPageSize = 3
	})
	if fourth.StartedEventId != 36 || fourth.PreviousStartedEventId != 32 {
		t.Fatalf("fourth task: started %d previous %d", fourth.StartedEventId, fourth.PreviousStartedEventId)
	}
	if want := [][]int64{{36, 35, 34}, {33, 32}}; fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Fatalf("reverse pages from the previous started event %v, want %v", pages, want)
	}
	d.Decide(fourth.TaskToken)

	// Without a previous task, startAtPreviousStartedEvent gives it all.
	d.Start("fresh")
	fresh, pages := decisionPages(d, func(in *swf.PollForDecisionTaskInput) { in.StartAtPreviousStartedEvent = true })
	if aws.ToString(fresh.WorkflowExecution.WorkflowId) != "fresh" || fmt.Sprint(pages) != "[[1 2 3]]" {
		t.Fatalf("fresh task of %s: pages %v", aws.ToString(fresh.WorkflowExecution.WorkflowId), pages)
	}
}

func TestActivityTaskPriority(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	prio := func(p string) func(*types.ScheduleActivityTaskDecisionAttributes) {
		return func(a *types.ScheduleActivityTaskDecisionAttributes) { a.TaskPriority = aws.String(p) }
	}
	d.Start("p1")
	task := d.PollDecision()
	d.Decide(task.TaskToken,
		swftest.ScheduleActivity("zero-a", prio("0")),
		swftest.ScheduleActivity("five-a", prio("5")),
		swftest.ScheduleActivity("minus", prio("-1")),
		swftest.ScheduleActivity("five-b", prio("5")),
		swftest.ScheduleActivity("min", prio("-2147483648")),
		swftest.ScheduleActivity("zero-b"),
		swftest.ScheduleActivity("ten", prio("10")),
	)
	d.Start("p2")
	task = d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("five-c", prio("5")), swftest.ScheduleActivity("max", prio("2147483647")), swftest.ScheduleActivity("zero-c"))
	var got []string
	for range 10 {
		got = append(got, aws.ToString(d.PollActivity().ActivityId))
	}
	want := []string{"max", "ten", "five-a", "five-b", "five-c", "zero-a", "zero-b", "zero-c", "minus", "min"}
	if !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
}

func TestDecisionTaskPriority(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	prio := func(p string) func(*swf.StartWorkflowExecutionInput) {
		return func(in *swf.StartWorkflowExecutionInput) { in.TaskPriority = aws.String(p) }
	}
	d.Start("low-a")
	d.Start("high-a", prio("3"))
	d.Start("negative", prio("-2"))
	d.Start("low-b", prio("0"))
	d.Start("high-b", prio("3"))
	var got []string
	for range 5 {
		task := d.PollDecision()
		got = append(got, aws.ToString(task.WorkflowExecution.WorkflowId))
		if s := task.Events[1].DecisionTaskScheduledEventAttributes; s == nil || s.TaskPriority == nil {
			t.Fatalf("DecisionTaskScheduled: %+v", task.Events[1])
		}
	}
	if want := []string{"high-a", "high-b", "low-a", "low-b", "negative"}; !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
}

func TestConcurrentPollersGetEveryTaskOnce(t *testing.T) {
	t.Parallel()
	const runs, perRun, workers, deciders = 6, 10, 16, 4
	d := swftest.NewDomain(t)

	polls, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		stop()
		wg.Wait()
	}()
	type delivery struct{ runID, activityID, token string }
	var mu sync.Mutex
	var activities []delivery
	var decisionTokens []string
	closed := make(chan string, runs)

	for i := range deciders {
		c := d.NewClient()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				task, err := c.PollForDecisionTask(polls, &swf.PollForDecisionTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}, Identity: aws.String(fmt.Sprintf("decider-%d", i))})
				if polls.Err() != nil {
					return
				}
				if err != nil {
					t.Errorf("decider %d: %v", i, err)
					return
				}
				if task.TaskToken == nil {
					continue
				}
				mu.Lock()
				decisionTokens = append(decisionTokens, *task.TaskToken)
				mu.Unlock()
				completed := 0
				for _, e := range task.Events {
					if e.EventType == types.EventTypeActivityTaskCompleted {
						completed++
					}
				}
				var decisions []types.Decision
				switch {
				case task.PreviousStartedEventId == 0:
					for j := range perRun {
						decisions = append(decisions, swftest.ScheduleActivity(fmt.Sprintf("act-%d", j)))
					}
				case completed == perRun:
					decisions = append(decisions, swftest.CompleteWorkflow("all done"))
				}
				if _, err := c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: decisions}); err != nil {
					t.Errorf("decider %d: %v", i, err)
					return
				}
				if completed == perRun {
					closed <- aws.ToString(task.WorkflowExecution.RunId)
				}
			}
		}()
	}
	for i := range workers {
		c := d.NewClient()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				a, err := c.PollForActivityTask(polls, &swf.PollForActivityTaskInput{Domain: aws.String(d.Name), TaskList: &types.TaskList{Name: aws.String(swftest.WorkerList)}, Identity: aws.String(fmt.Sprintf("worker-%d", i))})
				if polls.Err() != nil {
					return
				}
				if err != nil {
					t.Errorf("worker %d: %v", i, err)
					return
				}
				if a.TaskToken == nil {
					continue
				}
				mu.Lock()
				activities = append(activities, delivery{aws.ToString(a.WorkflowExecution.RunId), aws.ToString(a.ActivityId), *a.TaskToken})
				mu.Unlock()
				if _, err := c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken, Result: a.ActivityId}); err != nil {
					t.Errorf("worker %d: %v", i, err)
					return
				}
			}
		}()
	}
	// Every poller waits before the first task is there.
	d.WaitClockWaiters(workers + deciders)

	var executions []*types.WorkflowExecution
	for i := range runs {
		executions = append(executions, d.Start(fmt.Sprintf("load-%d", i)))
	}
	for range runs {
		select {
		case <-closed:
		case <-time.After(60 * time.Second):
			t.Fatalf("runs did not all complete: %d activity tasks delivered", len(activities))
		}
	}
	stop()
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if len(activities) != runs*perRun {
		t.Errorf("%d activity tasks delivered, want %d", len(activities), runs*perRun)
	}
	seen := map[string]bool{}
	tokens := map[string]bool{}
	for _, a := range activities {
		key := a.runID + "/" + a.activityID
		if seen[key] {
			t.Errorf("activity %s delivered twice", key)
		}
		seen[key] = true
		if tokens[a.token] {
			t.Errorf("token of %s handed out twice", key)
		}
		tokens[a.token] = true
	}
	decisionSeen := map[string]bool{}
	for _, tok := range decisionTokens {
		if decisionSeen[tok] {
			t.Errorf("decision task token handed out twice")
		}
		decisionSeen[tok] = true
	}
	for _, ex := range executions {
		h := d.History(ex)
		count := map[types.EventType]int{}
		started := map[int64]bool{}
		for _, e := range h {
			count[e.EventType]++
			if e.EventType == types.EventTypeActivityTaskStarted {
				id := e.ActivityTaskStartedEventAttributes.ScheduledEventId
				if started[id] {
					t.Errorf("%s: activity %d started twice", aws.ToString(ex.WorkflowId), id)
				}
				started[id] = true
			}
		}
		for _, et := range []types.EventType{types.EventTypeActivityTaskScheduled, types.EventTypeActivityTaskStarted, types.EventTypeActivityTaskCompleted} {
			if count[et] != perRun {
				t.Errorf("%s: %d %s, want %d", aws.ToString(ex.WorkflowId), count[et], et, perRun)
			}
		}
		if count[types.EventTypeDecisionTaskScheduled] != count[types.EventTypeDecisionTaskStarted] || count[types.EventTypeDecisionTaskStarted] != count[types.EventTypeDecisionTaskCompleted] {
			t.Errorf("%s: decision task events %v", aws.ToString(ex.WorkflowId), count)
		}
		if info := d.Describe(ex).ExecutionInfo; info.CloseStatus != types.CloseStatusCompleted {
			t.Errorf("%s: %+v", aws.ToString(ex.WorkflowId), info)
		}
	}
	if n, m := d.PendingActivities(swftest.WorkerList), d.PendingDecisions(swftest.DeciderList); n != 0 || m != 0 {
		t.Errorf("pending tasks left: %d activity, %d decision", n, m)
	}
}

// activityCalls makes every call that takes an activity task token.
func activityCalls(d *swftest.Domain, token *string) map[string]error {
	calls := map[string]error{}
	_, calls["RecordActivityTaskHeartbeat"] = d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: token})
	_, calls["RespondActivityTaskCompleted"] = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: token})
	_, calls["RespondActivityTaskFailed"] = d.Client.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: token})
	_, calls["RespondActivityTaskCanceled"] = d.Client.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: token})
	return calls
}

// wantStale asserts that every activity call with the token answers
// UnknownResourceFault.
func wantStale(t *testing.T, d *swftest.Domain, what string, token *string) {
	t.Helper()
	for op, err := range activityCalls(d, token) {
		t.Run(what+"/"+op, func(t *testing.T) { wantFault[*types.UnknownResourceFault](t, err) })
	}
}

// wantInvalid asserts that every call with the token answers a
// ValidationException naming taskToken.
func wantInvalid(t *testing.T, d *swftest.Domain, what string, token *string, activityCall, decisionCall bool) {
	t.Helper()
	if activityCall {
		for op, err := range activityCalls(d, token) {
			t.Run(what+"/"+op, func(t *testing.T) { wantValidation(t, err, "taskToken") })
		}
	}
	if decisionCall {
		err := d.DecideErr(token, swftest.RecordMarker("m", nil))
		t.Run(what+"/RespondDecisionTaskCompleted", func(t *testing.T) { wantValidation(t, err, "taskToken") })
	}
}

func TestStaleTaskTokens(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("stale")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"), swftest.ScheduleActivity("a3"), swftest.ScheduleActivity("a4"))
	err := d.DecideErr(task.TaskToken)
	wantFault[*types.UnknownResourceFault](t, err)

	a1, a2, a3, a4 := d.PollActivity(), d.PollActivity(), d.PollActivity(), d.PollActivity()
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a1.TaskToken})
	must(t, err)
	_, err = d.Client.RespondActivityTaskFailed(ctx, &swf.RespondActivityTaskFailedInput{TaskToken: a2.TaskToken})
	must(t, err)
	_, err = d.Client.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: a3.TaskToken})
	must(t, err)
	before := len(d.History(ex))
	wantStale(t, d, "completed", a1.TaskToken)
	wantStale(t, d, "failed", a2.TaskToken)
	wantStale(t, d, "canceled", a3.TaskToken)
	if after := len(d.History(ex)); after != before {
		t.Fatalf("calls with stale tokens recorded %d events", after-before)
	}

	// Closing the run makes the tokens of its open tasks stale.
	task = d.PollDecision()
	d.Terminate(ex)
	err = d.DecideErr(task.TaskToken, swftest.CompleteWorkflow("too late"))
	wantFault[*types.UnknownResourceFault](t, err)
	wantStale(t, d, "closed run", a4.TaskToken)
	d.WantHistoryFrom(ex, int64(before+2), types.EventTypeWorkflowExecutionTerminated)
}

func TestTimedOutTaskTokens(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("late")
	task := d.PollDecision()
	d.Advance(30 * time.Second) // the decision task times out
	d.WantHistoryFrom(ex, 4, types.EventTypeDecisionTaskTimedOut, types.EventTypeDecisionTaskScheduled)
	err := d.DecideErr(task.TaskToken, swftest.ScheduleActivity("a1"))
	wantFault[*types.UnknownResourceFault](t, err)

	task = d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1", func(a *types.ScheduleActivityTaskDecisionAttributes) {
		a.StartToCloseTimeout = aws.String("10")
		a.HeartbeatTimeout = aws.String("NONE")
	}))
	a := d.PollActivity()
	d.Advance(10 * time.Second)
	if o := d.LastEvent(ex, types.EventTypeActivityTaskTimedOut).ActivityTaskTimedOutEventAttributes; o.TimeoutType != types.ActivityTaskTimeoutTypeStartToClose {
		t.Fatalf("ActivityTaskTimedOut: %+v", o)
	}
	wantStale(t, d, "timed out", a.TaskToken)
}

func TestForgedTaskTokens(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	ex := d.Start("forged")
	task := d.PollDecision()
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"))
	a := d.PollActivity()
	d.Signal(ex, "s")
	task = d.PollDecision()
	before := len(d.History(ex))

	alter := func(tok string, i int) *string {
		b := []byte(tok)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return aws.String(string(b))
	}
	at, dt := aws.ToString(a.TaskToken), aws.ToString(task.TaskToken)
	for _, i := range []int{0, 3, len(at) / 2, len(at) - 1} {
		wantInvalid(t, d, fmt.Sprintf("activity token altered at %d", i), alter(at, i), true, false)
		wantInvalid(t, d, fmt.Sprintf("decision token altered at %d", i), alter(dt, i), false, true)
	}
	wantInvalid(t, d, "cut", aws.String(at[:len(at)-2]), true, true)
	wantInvalid(t, d, "made up", aws.String("not-a-task-token"), true, true)
	wantInvalid(t, d, "made up base64", aws.String("AUEBAQUGAAAAAAAAAAAAAAAAAAAAAA"), true, true)
	wantInvalid(t, d, "long", aws.String(strings.Repeat("x", 1024)), true, true)
	// A token of the other kind of task.
	wantInvalid(t, d, "decision token", task.TaskToken, true, false)
	wantInvalid(t, d, "activity token", a.TaskToken, false, true)
	// A token of another server, with another key.
	other := swftest.NewDomain(t)
	other.Start("forged")
	od := other.PollDecision()
	other.Decide(od.TaskToken, swftest.ScheduleActivity("a1"))
	oa := other.PollActivity()
	wantInvalid(t, d, "other server's activity token", oa.TaskToken, true, false)
	wantInvalid(t, d, "other server's decision token", od.TaskToken, false, true)

	// None of it touched the real tasks.
	if after := len(d.History(ex)); after != before {
		t.Fatalf("calls with forged tokens recorded %d events", after-before)
	}
	hb, err := d.Client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: a.TaskToken})
	must(t, err)
	if hb.CancelRequested {
		t.Fatal("cancelRequested")
	}
	_, err = d.Client.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken})
	must(t, err)
	d.Decide(task.TaskToken)
}

func TestCountPendingTasks(t *testing.T) {
	t.Parallel()
	d := swftest.NewDomain(t)
	for _, list := range []string{swftest.DeciderList, swftest.WorkerList, "never-used"} {
		if n, m := d.PendingDecisions(list), d.PendingActivities(list); n != 0 || m != 0 {
			t.Fatalf("%s: %d decision and %d activity tasks before any run", list, n, m)
		}
	}
	_, err := d.Client.CountPendingDecisionTasks(ctx, &swf.CountPendingDecisionTasksInput{Domain: aws.String("nope"), TaskList: &types.TaskList{Name: aws.String(swftest.DeciderList)}})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = d.Client.CountPendingActivityTasks(ctx, &swf.CountPendingActivityTasksInput{Domain: aws.String("nope"), TaskList: &types.TaskList{Name: aws.String(swftest.WorkerList)}})
	wantFault[*types.UnknownResourceFault](t, err)

	d.Start("c1")
	d.Start("c2")
	d.Start("c3", func(in *swf.StartWorkflowExecutionInput) {
		in.TaskList = &types.TaskList{Name: aws.String("deciders-3")}
	})
	if n, m, o := d.PendingDecisions(swftest.DeciderList), d.PendingDecisions("deciders-3"), d.PendingActivities(swftest.DeciderList); n != 2 || m != 1 || o != 0 {
		t.Fatalf("pending: %d decision tasks on %s, %d on deciders-3, %d activity tasks on %s", n, swftest.DeciderList, m, o, swftest.DeciderList)
	}
	task := d.PollDecision()
	if n := d.PendingDecisions(swftest.DeciderList); n != 1 {
		t.Fatalf("%d pending decision tasks after a poll, want 1", n)
	}
	d.Decide(task.TaskToken, swftest.ScheduleActivity("a1"), swftest.ScheduleActivity("a2"), swftest.ScheduleActivity("a3", func(a *types.ScheduleActivityTaskDecisionAttributes) {
		a.TaskList = &types.TaskList{Name: aws.String("other")}
	}))
	if n, m, o := d.PendingActivities(swftest.WorkerList), d.PendingActivities("other"), d.PendingDecisions(swftest.WorkerList); n != 2 || m != 1 || o != 0 {
		t.Fatalf("pending: %d activity tasks on %s, %d on other, %d decision tasks on %s", n, swftest.WorkerList, m, o, swftest.WorkerList)
	}
	d.PollActivity()
	if n := d.PendingActivities(swftest.WorkerList); n != 1 {
		t.Fatalf("%d pending activity tasks after a poll, want 1", n)
	}
	// Another domain's lists are apart.
	d.BareDomain("wf2")
	out, err := d.Client.CountPendingActivityTasks(ctx, &swf.CountPendingActivityTasksInput{Domain: aws.String("wf2"), TaskList: &types.TaskList{Name: aws.String(swftest.WorkerList)}})
	must(t, err)
	if out.Count != 0 || out.Truncated {
		t.Fatalf("other domain: %+v", out)
	}
}
