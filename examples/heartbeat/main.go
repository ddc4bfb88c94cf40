// Command heartbeat is an SWF decider and activity worker written against
// the official aws-sdk-go-v2, as they would be written for Amazon SWF. Run
// it against openswf:
//
//	go run ./cmd/openswf serve &
//	go run ./examples/heartbeat
//
// It registers a domain and two types, starts a workflow and runs, side by
// side, the decider and a worker whose activity counts slowly, reporting its
// progress with RecordActivityTaskHeartbeat. Midway an operator asks for the
// workflow to be canceled: the decider asks for the activity to be canceled,
// the worker's next heartbeat hears of it, and the worker stops cleanly with
// RespondActivityTaskCanceled. Pass -cancel-after 0 to let it finish.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:7930", "the SWF endpoint URL")
	var o Options
	flag.StringVar(&o.Domain, "domain", "openswf-example", "domain to use (registered if missing)")
	flag.IntVar(&o.Steps, "steps", 10, "how many steps the activity counts")
	flag.DurationVar(&o.Step, "step", 500*time.Millisecond, "how long each step takes")
	flag.IntVar(&o.CancelAfter, "cancel-after", 4, "ask to cancel the workflow after this many steps (0: never)")
	flag.Parse()

	client := swf.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("example", "example", ""),
	}, func(opts *swf.Options) { opts.BaseEndpoint = endpoint })
	status, err := Run(context.Background(), client, o, os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("workflow closed:", status)
}

// Options shape the example's workflow.
type Options struct {
	Domain      string
	Steps       int
	Step        time.Duration
	CancelAfter int
}

const (
	deciderList = "example-deciders"
	workerList  = "example-workers"
)

var (
	workflowType = &types.WorkflowType{Name: aws.String("count-slowly"), Version: aws.String("1")}
	activityType = &types.ActivityType{Name: aws.String("count"), Version: aws.String("1")}
)

// Run registers what the example needs, runs one workflow to its end and
// returns how it closed.
func Run(ctx context.Context, c *swf.Client, o Options, out io.Writer) (types.CloseStatus, error) {
	if err := register(ctx, c, o.Domain); err != nil {
		return "", err
	}
	workflowID := fmt.Sprintf("count-%d", time.Now().UnixNano())
	run, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain: &o.Domain, WorkflowId: &workflowID, WorkflowType: workflowType,
		Input: aws.String(strconv.Itoa(o.Steps)),
	})
	if err != nil {
		return "", fmt.Errorf("start: %w", err)
	}
	fmt.Fprintf(out, "started %s (run %s)\n", workflowID, *run.RunId)

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	progress := make(chan int, o.Steps+1)
	closed := make(chan types.CloseStatus, 1)
	errs := make(chan error, 2)
	go func() { errs <- decide(ctx, c, o.Domain, closed, out) }()
	go func() { errs <- work(ctx, c, o, progress, out) }()

	canceled := false
	for {
		select {
		case status := <-closed:
			stop()
			return status, printHistory(context.Background(), c, o.Domain, workflowID, *run.RunId, out)
		case err := <-errs:
			if ctx.Err() == nil {
				return "", err
			}
		case step := <-progress:
			if o.CancelAfter > 0 && step >= o.CancelAfter && !canceled {
				canceled = true
				fmt.Fprintf(out, "operator: asking to cancel the workflow after step %d\n", step)
				if _, err := c.RequestCancelWorkflowExecution(ctx, &swf.RequestCancelWorkflowExecutionInput{Domain: &o.Domain, WorkflowId: &workflowID}); err != nil {
					return "", fmt.Errorf("request cancel: %w", err)
				}
			}
		}
	}
}

// register registers the domain and the types, unless they exist.
func register(ctx context.Context, c *swf.Client, domain string) error {
	var exists *types.DomainAlreadyExistsFault
	if _, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: &domain, WorkflowExecutionRetentionPeriodInDays: aws.String("1")}); err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("register domain: %w", err)
	}
	var typeExists *types.TypeAlreadyExistsFault
	if _, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: &domain, Name: workflowType.Name, Version: workflowType.Version,
		DefaultTaskList:                     &types.TaskList{Name: aws.String(deciderList)},
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout:      aws.String("30"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
	}); err != nil && !errors.As(err, &typeExists) {
		return fmt.Errorf("register workflow type: %w", err)
	}
	if _, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
		Domain: &domain, Name: activityType.Name, Version: activityType.Version,
		DefaultTaskList:                   &types.TaskList{Name: aws.String(workerList)},
		DefaultTaskScheduleToStartTimeout: aws.String("60"),
		DefaultTaskScheduleToCloseTimeout: aws.String("3600"),
		DefaultTaskStartToCloseTimeout:    aws.String("3600"),
		// A worker that stops heartbeating for 10 s is taken for dead.
		DefaultTaskHeartbeatTimeout: aws.String("10"),
	}); err != nil && !errors.As(err, &typeExists) {
		return fmt.Errorf("register activity type: %w", err)
	}
	return nil
}

// decide is the decider: it reads each decision task's whole history and
// answers with what comes next.
func decide(ctx context.Context, c *swf.Client, domain string, closed chan<- types.CloseStatus, out io.Writer) error {
	for ctx.Err() == nil {
		task, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: &domain, TaskList: &types.TaskList{Name: aws.String(deciderList)}, Identity: aws.String("example-decider")})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("poll for decision task: %w", err)
		}
		if aws.ToString(task.TaskToken) == "" {
			// The long poll ended without a task: Amazon SWF then leaves
			// taskToken out (its documentation says an empty string).
			// Testing for empty covers both.
			continue
		}
		events := task.Events
		for page := task.NextPageToken; page != nil; {
			more, err := c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: &domain, TaskList: &types.TaskList{Name: aws.String(deciderList)}, NextPageToken: page})
			if err != nil {
				return fmt.Errorf("history page: %w", err)
			}
			events, page = append(events, more.Events...), more.NextPageToken
		}
		decisions, status := next(events)
		if _, err := c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: task.TaskToken, Decisions: decisions}); err != nil {
			return fmt.Errorf("respond decision: %w", err)
		}
		for _, d := range decisions {
			fmt.Fprintf(out, "decider: %s\n", d.DecisionType)
		}
		if status != "" {
			closed <- status
			return nil
		}
	}
	return nil
}

// next decides from the history what to do, and how the workflow closes
// if that decision closes it.
func next(events []types.HistoryEvent) ([]types.Decision, types.CloseStatus) {
	var input string
	scheduled, open, cancelAsked := false, false, false
	for _, e := range events {
		switch e.EventType {
		case types.EventTypeWorkflowExecutionStarted:
			input = aws.ToString(e.WorkflowExecutionStartedEventAttributes.Input)
		case types.EventTypeActivityTaskScheduled:
			scheduled, open = true, true
		case types.EventTypeActivityTaskCancelRequested:
			cancelAsked = true
		case types.EventTypeActivityTaskCompleted:
			return []types.Decision{{
				DecisionType: types.DecisionTypeCompleteWorkflowExecution,
				CompleteWorkflowExecutionDecisionAttributes: &types.CompleteWorkflowExecutionDecisionAttributes{Result: e.ActivityTaskCompletedEventAttributes.Result},
			}}, types.CloseStatusCompleted
		case types.EventTypeActivityTaskCanceled:
			return []types.Decision{{
				DecisionType: types.DecisionTypeCancelWorkflowExecution,
				CancelWorkflowExecutionDecisionAttributes: &types.CancelWorkflowExecutionDecisionAttributes{Details: e.ActivityTaskCanceledEventAttributes.Details},
			}}, types.CloseStatusCanceled
		case types.EventTypeActivityTaskFailed, types.EventTypeActivityTaskTimedOut, types.EventTypeScheduleActivityTaskFailed:
			return []types.Decision{{
				DecisionType:                            types.DecisionTypeFailWorkflowExecution,
				FailWorkflowExecutionDecisionAttributes: &types.FailWorkflowExecutionDecisionAttributes{Reason: aws.String(string(e.EventType))},
			}}, types.CloseStatusFailed
		case types.EventTypeWorkflowExecutionCancelRequested:
			if !scheduled {
				return []types.Decision{{DecisionType: types.DecisionTypeCancelWorkflowExecution}}, types.CloseStatusCanceled
			}
		}
	}
	canceling := false
	for _, e := range events {
		canceling = canceling || e.EventType == types.EventTypeWorkflowExecutionCancelRequested
	}
	switch {
	case !scheduled:
		return []types.Decision{{
			DecisionType: types.DecisionTypeScheduleActivityTask,
			ScheduleActivityTaskDecisionAttributes: &types.ScheduleActivityTaskDecisionAttributes{
				ActivityId: aws.String("count"), ActivityType: activityType, Input: aws.String(input),
			},
		}}, ""
	case open && canceling && !cancelAsked:
		return []types.Decision{{
			DecisionType: types.DecisionTypeRequestCancelActivityTask,
			RequestCancelActivityTaskDecisionAttributes: &types.RequestCancelActivityTaskDecisionAttributes{ActivityId: aws.String("count")},
		}}, ""
	}
	return nil, ""
}

// work is the activity worker: it counts, one step at a time, heartbeating
// its progress, and stops cleanly when a heartbeat says cancellation was
// requested.
func work(ctx context.Context, c *swf.Client, o Options, progress chan<- int, out io.Writer) error {
	for ctx.Err() == nil {
		task, err := c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: &o.Domain, TaskList: &types.TaskList{Name: aws.String(workerList)}, Identity: aws.String("example-worker")})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("poll for activity task: %w", err)
		}
		if aws.ToString(task.TaskToken) == "" {
			continue // no task: see the decider
		}
		steps, _ := strconv.Atoi(aws.ToString(task.Input))
		if err := count(ctx, c, task.TaskToken, steps, o.Step, progress, out); err != nil {
			return err
		}
	}
	return nil
}

func count(ctx context.Context, c *swf.Client, token *string, steps int, step time.Duration, progress chan<- int, out io.Writer) error {
	for i := 1; i <= steps; i++ {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(step):
		}
		details := fmt.Sprintf("%d/%d", i, steps)
		status, err := c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: token, Details: &details})
		if err != nil {
			return fmt.Errorf("heartbeat: %w", err)
		}
		fmt.Fprintf(out, "worker: step %s\n", details)
		if status.CancelRequested {
			fmt.Fprintf(out, "worker: cancellation requested, stopping at %s\n", details)
			_, err := c.RespondActivityTaskCanceled(ctx, &swf.RespondActivityTaskCanceledInput{TaskToken: token, Details: aws.String("stopped at " + details)})
			return err
		}
		progress <- i
	}
	_, err := c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: token, Result: aws.String(fmt.Sprintf("counted to %d", steps))})
	return err
}

func printHistory(ctx context.Context, c *swf.Client, domain, workflowID, runID string, out io.Writer) error {
	p := swf.NewGetWorkflowExecutionHistoryPaginator(c, &swf.GetWorkflowExecutionHistoryInput{
		Domain: &domain, Execution: &types.WorkflowExecution{WorkflowId: &workflowID, RunId: &runID},
	})
	fmt.Fprintln(out, "history:")
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, e := range page.Events {
			fmt.Fprintf(out, "  %3d %s\n", e.EventId, e.EventType)
		}
	}
	return nil
}
