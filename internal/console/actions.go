package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/swfapi"
)

// The console's actions, each an API operation the signed-in user could
// call: the console calls it through the same engine operation, after the
// same validation and authorization.
const (
	actSignal    = "signal"
	actCancel    = "cancel"
	actTerminate = "terminate"
	actRerun     = "rerun"
	actReset     = "reset"
)

// actionNames are the actions in the order the page offers them, with
// their titles.
var actionNames = []struct{ op, title string }{
	{actSignal, "Signal"}, {actCancel, "Request cancel"}, {actTerminate, "Terminate"}, {actRerun, "Re-run"},
	{actReset, "Re-run from here"},
}

// resetter is what the console needs of a service to re-run a workflow
// from one of its decisions (an openswf extension); the engine has it. It
// checks openswf:ResetWorkflowExecution itself, for the user in the
// context.
type resetter interface {
	ResetWorkflowExecution(ctx context.Context, in *engine.ResetInput) (*swfapi.WorkflowExecution, error)
}

// resetURL is the confirmation page of re-running a run from its
// DecisionTaskCompleted event id.
func resetURL(domain, workflowID, runID string, eventID int64) string {
	return withQuery(domainURL(domain)+"/action", url.Values{"op": {actReset}, "workflowId": {workflowID}, "runId": {runID},
		"eventId": {strconv.FormatInt(eventID, 10)}})
}

// actionsPanel is the actions an execution's page offers.
type actionsPanel struct {
	Links []link
}

// actionsOf offers the actions that apply to the run: all but re-run
// only while it is open. Whether the user may take one is decided when
// they do, as the API would.
func (h *handler) actionsOf(domain string, d *swfapi.WorkflowExecutionDetail) *actionsPanel {
	if !h.actions {
		return nil
	}
	info := swfapi.Deref(d.ExecutionInfo)
	ex := swfapi.Deref(info.Execution)
	open := swfapi.Deref(info.ExecutionStatus) == swfapi.ExecutionStatusOpen
	p := &actionsPanel{}
	for _, a := range actionNames {
		// Re-running from here is offered on each DecisionTaskCompleted.
		if a.op != actReset && (open || a.op == actRerun) {
			p.Links = append(p.Links, link{Label: a.op, Text: a.title, URL: actionURL(domain, a.op, swfapi.Deref(ex.WorkflowId), swfapi.Deref(ex.RunId))})
		}
	}
	return p
}

// actionURL is the confirmation page of an action on a run.
func actionURL(domain, op, workflowID, runID string) string {
	return withQuery(domainURL(domain)+"/action", url.Values{"op": {op}, "workflowId": {workflowID}, "runId": {runID}})
}

// actionPage is the confirmation of an action: what it will do, the
// fields it takes, and the button that does it.
type actionPage struct {
	Chrome
	Title, Op, Verb, Domain  string
	WorkflowID, RunID        string
	Crumbs                   []link
	Back                     string
	Signal, Terminate, Rerun bool
	// Reset re-runs from the DecisionTaskCompleted event EventID.
	Reset   bool
	EventID int64
	// Rerun shows what the new run takes from this one.
	Start []field
	// Form holds the values given, for a form shown again.
	Form    map[string]string
	Message string
	Danger  bool
	// newRunID is the run a reset started, for the audit line.
	newRunID string
}

// resetOf reads which decision a reset re-runs from (eventId), and
// points the page's way back at it.
func (h *handler) resetOf(r *http.Request, p *actionPage) error {
	if _, ok := h.svc.(resetter); !ok {
		return notFound("This server cannot re-run a workflow from a decision.")
	}
	s := r.FormValue("eventId")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return badRequest("eventId is %q: re-running from a decision needs the id of its DecisionTaskCompleted event.", s)
	}
	p.Reset, p.EventID = true, n
	p.Danger = true
	p.Back = executionURL(p.Domain, p.WorkflowID, p.RunID, "event", s) + "#" + eventAnchor(n)
	return nil
}

// action serves an action's confirmation page (GET) and carries it out
// (POST, with the CSRF token ServeHTTP has checked).
func (h *handler) action(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	if !h.actions {
		h.fail(w, r, notFound("The console's actions are off: the server runs without --console-actions."))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		h.fail(w, r, &pageError{status: http.StatusMethodNotAllowed, msg: "An action's page answers GET and POST."})
		return
	}
	op, wid, rid := r.FormValue("op"), r.FormValue("workflowId"), r.FormValue("runId")
	p := &actionPage{Op: op, Domain: domain, WorkflowID: wid, RunID: rid, Back: executionURL(domain, wid, rid), Form: map[string]string{}}
	for _, a := range actionNames {
		if a.op == op {
			p.Verb = a.title
		}
	}
	if p.Verb == "" || wid == "" || rid == "" {
		h.fail(w, r, badRequest("An action needs op (signal, cancel, terminate, rerun or reset), workflowId and runId."))
		return
	}
	p.Title = p.Verb + " " + wid
	self := actionURL(domain, op, wid, rid)
	if op == actReset {
		if err := h.resetOf(r, p); err != nil {
			h.fail(w, r, err)
			return
		}
		self = resetURL(domain, wid, rid, p.EventID)
	}
	p.Crumbs = []link{{Text: domain, URL: domainURL(domain)}, {Text: wid + " / " + rid, URL: p.Back}, {Text: p.Verb, URL: self}}
	p.Signal, p.Terminate, p.Rerun = op == actSignal, op == actTerminate, op == actRerun
	p.Danger = op == actTerminate || op == actCancel
	if p.Rerun {
		start, err := h.rerunInput(r.Context(), domain, wid, rid)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.Start = startFields(start)
		p.Form["newWorkflowId"] = wid
	}
	if r.Method != http.MethodPost {
		h.render(w, r, http.StatusOK, "action", p)
		return
	}
	for _, k := range []string{"signalName", "input", "reason", "details", "newWorkflowId"} {
		if v := r.PostFormValue(k); v != "" || k != "newWorkflowId" {
			p.Form[k] = v
		}
	}
	target, err := h.act(r, p)
	h.audit(r, p, err)
	if err != nil {
		p.Message = err.Error()
		h.render(w, r, statusOf(err), "action", p)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// act carries out the action and returns the page to go to after it.
func (h *handler) act(r *http.Request, p *actionPage) (string, error) {
	ctx := r.Context()
	domain, wid, rid := p.Domain, p.WorkflowID, p.RunID
	f := p.Form
	var err error
	switch p.Op {
	case actSignal:
		_, err = call(ctx, &swfapi.SignalWorkflowExecutionInput{Domain: &domain, WorkflowId: &wid, RunId: &rid,
			SignalName: swfapi.Ptr(f["signalName"]), Input: optional(f["input"])}, noOutput(h.svc.SignalWorkflowExecution))
	case actCancel:
		_, err = call(ctx, &swfapi.RequestCancelWorkflowExecutionInput{Domain: &domain, WorkflowId: &wid, RunId: &rid},
			noOutput(h.svc.RequestCancelWorkflowExecution))
	case actTerminate:
		_, err = call(ctx, &swfapi.TerminateWorkflowExecutionInput{Domain: &domain, WorkflowId: &wid, RunId: &rid,
			Reason: optional(f["reason"]), Details: optional(f["details"])}, noOutput(h.svc.TerminateWorkflowExecution))
	case actReset:
		var run *swfapi.WorkflowExecution
		run, err = h.svc.(resetter).ResetWorkflowExecution(ctx, &engine.ResetInput{Domain: domain, WorkflowID: wid, RunID: rid, DecisionTaskCompletedEventID: p.EventID})
		if err == nil {
			p.newRunID = swfapi.Deref(run.RunId)
			return executionURL(domain, wid, p.newRunID), nil
		}
	case actRerun:
		var in *swfapi.StartWorkflowExecutionInput
		if in, err = h.rerunInput(ctx, domain, wid, rid); err != nil {
			return "", err
		}
		in.WorkflowId = swfapi.Ptr(f["newWorkflowId"])
		var run *swfapi.Run
		if run, err = call(ctx, in, h.svc.StartWorkflowExecution); err == nil {
			return executionURL(domain, f["newWorkflowId"], swfapi.Deref(run.RunId)), nil
		}
	}
	if err != nil {
		return "", err
	}
	return executionURL(domain, wid, rid), nil
}

// noOutput adapts an operation without output to call.
func noOutput[I any](op func(context.Context, I) error) func(context.Context, I) (struct{}, error) {
	return func(ctx context.Context, in I) (struct{}, error) { return struct{}{}, op(ctx, in) }
}

// audit logs an action taken, or refused, with who took it.
func (h *handler) audit(r *http.Request, p *actionPage, err error) {
	attrs := []any{"action", p.Op, "domain", p.Domain, "workflowId", p.WorkflowID, "runId", p.RunID}
	if c := callerOf(r.Context()); c != nil {
		attrs = append(attrs, "sourceIp", c.SourceIP)
		if c.Principal != nil {
			attrs = append(attrs, "user", c.Principal.User, "accessKeyId", c.Principal.AccessKeyID)
		}
	} else {
		attrs = append(attrs, "remoteAddr", r.RemoteAddr)
	}
	switch p.Op {
	case actRerun:
		attrs = append(attrs, "newWorkflowId", p.Form["newWorkflowId"])
	case actReset:
		attrs = append(attrs, "eventId", p.EventID)
		if p.newRunID != "" {
			attrs = append(attrs, "newRunId", p.newRunID)
		}
	}
	if err != nil {
		var ae *swfapi.Error
		outcome := "error"
		if errors.As(err, &ae) {
			outcome = string(ae.Code)
		}
		h.logger.Warn("console action refused", append(attrs, "outcome", outcome)...)
		return
	}
	h.logger.Info("console action", attrs...)
}

// rerunInput is the start of a new run like this one: its type, input,
// task list and priority, timeouts, child policy, Lambda role and tags,
// as its WorkflowExecutionStarted event recorded them.
func (h *handler) rerunInput(ctx context.Context, domain, wid, rid string) (*swfapi.StartWorkflowExecutionInput, error) {
	hist, err := call(ctx, &swfapi.GetWorkflowExecutionHistoryInput{Domain: &domain, Execution: &swfapi.WorkflowExecution{WorkflowId: &wid, RunId: &rid},
		MaximumPageSize: swfapi.Ptr(int32(1))}, h.svc.GetWorkflowExecutionHistory)
	if err != nil {
		return nil, invalidAsNotFound(err, "There is no execution of workflowId %q and runId %q in domain %q", wid, rid, domain)
	}
	if len(hist.Events) == 0 {
		return nil, fmt.Errorf("run %s of %s has no history", rid, wid)
	}
	e := hist.Events[0]
	if e.Raw != nil {
		if err := json.Unmarshal(e.Raw, &e); err != nil {
			return nil, fmt.Errorf("read the first event of %s / %s: %w", wid, rid, err)
		}
	}
	a := e.WorkflowExecutionStartedEventAttributes
	if a == nil {
		return nil, fmt.Errorf("the first event of %s / %s is not WorkflowExecutionStarted", wid, rid)
	}
	return &swfapi.StartWorkflowExecutionInput{Domain: &domain, WorkflowType: a.WorkflowType, Input: a.Input, TaskList: a.TaskList,
		TaskPriority: a.TaskPriority, ExecutionStartToCloseTimeout: a.ExecutionStartToCloseTimeout,
		TaskStartToCloseTimeout: a.TaskStartToCloseTimeout, ChildPolicy: a.ChildPolicy, LambdaRole: a.LambdaRole, TagList: a.TagList}, nil
}

// startFields shows what a re-run starts with.
func startFields(in *swfapi.StartWorkflowExecutionInput) []field {
	wt := swfapi.Deref(in.WorkflowType)
	tags := ""
	for i, t := range in.TagList {
		if i > 0 {
			tags += ", "
		}
		tags += t
	}
	return fields(
		"workflow type", swfapi.Deref(wt.Name)+" "+swfapi.Deref(wt.Version),
		"task list", taskListName(in.TaskList),
		"task priority", swfapi.Deref(in.TaskPriority),
		"execution start-to-close", seconds(in.ExecutionStartToCloseTimeout),
		"task start-to-close", seconds(in.TaskStartToCloseTimeout),
		"child policy", string(swfapi.Deref(in.ChildPolicy)),
		"Lambda role", swfapi.Deref(in.LambdaRole),
		"tags", tags,
		"input", swfapi.Deref(in.Input),
	)
}
