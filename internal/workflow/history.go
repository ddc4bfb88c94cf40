package workflow

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/openswf/openswf/internal/swfapi"
)

// HistoryError says what makes a history inconsistent, naming the event.
type HistoryError struct {
	EventID int64
	Problem string
}

func (e *HistoryError) Error() string {
	return fmt.Sprintf("event %d: %s", e.EventID, e.Problem)
}

func inconsistent(id int64, format string, args ...any) error {
	return &HistoryError{EventID: id, Problem: fmt.Sprintf(format, args...)}
}

// refFields are the members of event attributes that name an earlier
// event of the same run.
var refFields = []string{"DecisionTaskCompletedEventId", "ScheduledEventId", "StartedEventId", "InitiatedEventId", "LatestCancelRequestedEventId"}

// referent is the type of event a member of an event of type t must name;
// "" when the member names nothing in this history. zeroOK says whether 0
// ("none") is a valid value, as it is for the startedEventId of a task that
// timed out or failed before it started.
func referent(t swfapi.EventType, field string) (want swfapi.EventType, zeroOK bool) {
	s := string(t)
	switch field {
	case "DecisionTaskCompletedEventId":
		return swfapi.EventTypeDecisionTaskCompleted, false
	case "LatestCancelRequestedEventId":
		return swfapi.EventTypeActivityTaskCancelRequested, true
	case "ScheduledEventId":
		switch {
		case strings.HasPrefix(s, "DecisionTask"):
			return swfapi.EventTypeDecisionTaskScheduled, false
		case strings.HasPrefix(s, "ActivityTask"):
			return swfapi.EventTypeActivityTaskScheduled, false
		case strings.HasPrefix(s, "LambdaFunction"), s == "StartLambdaFunctionFailed":
			return swfapi.EventTypeLambdaFunctionScheduled, false
		}
	case "StartedEventId":
		switch {
		case strings.HasPrefix(s, "DecisionTask"):
			return swfapi.EventTypeDecisionTaskStarted, t == swfapi.EventTypeDecisionTaskTimedOut
		case strings.HasPrefix(s, "ActivityTask"):
			return swfapi.EventTypeActivityTaskStarted, t != swfapi.EventTypeActivityTaskCompleted
		case strings.HasPrefix(s, "LambdaFunction"):
			return swfapi.EventTypeLambdaFunctionStarted, t != swfapi.EventTypeLambdaFunctionCompleted
		case strings.HasPrefix(s, "Timer"):
			return swfapi.EventTypeTimerStarted, false
		case strings.HasPrefix(s, "ChildWorkflowExecution"):
			return swfapi.EventTypeChildWorkflowExecutionStarted, false
		}
	case "InitiatedEventId":
		switch {
		case strings.HasPrefix(s, "ChildWorkflowExecution"):
			return swfapi.EventTypeStartChildWorkflowExecutionInitiated, false
		case t == swfapi.EventTypeStartChildWorkflowExecutionFailed:
			return swfapi.EventTypeStartChildWorkflowExecutionInitiated, true
		case t == swfapi.EventTypeExternalWorkflowExecutionSignaled, t == swfapi.EventTypeSignalExternalWorkflowExecutionFailed:
			return swfapi.EventTypeSignalExternalWorkflowExecutionInitiated, false
		case t == swfapi.EventTypeExternalWorkflowExecutionCancelRequested, t == swfapi.EventTypeRequestCancelExternalWorkflowExecutionFailed:
			return swfapi.EventTypeRequestCancelExternalWorkflowExecutionInitiated, false
		}
	}
	return "", false
}

// IsClosing reports whether an event of type t closes a run.
func IsClosing(t swfapi.EventType) bool {
	switch t {
	case swfapi.EventTypeWorkflowExecutionCompleted, swfapi.EventTypeWorkflowExecutionFailed,
		swfapi.EventTypeWorkflowExecutionCanceled, swfapi.EventTypeWorkflowExecutionContinuedAsNew,
		swfapi.EventTypeWorkflowExecutionTimedOut, swfapi.EventTypeWorkflowExecutionTerminated:
		return true
	}
	return false
}

// CheckHistory reports the first thing that makes a history inconsistent,
// as a *HistoryError: event ids must run 1, 2, 3… in order with
// timestamps that never go back; the first event, and only it, is
// WorkflowExecutionStarted; each event carries exactly the attributes its
// type names; an event that closes the run can only be the last; and every
// member that names an earlier event of the run (scheduledEventId,
// startedEventId, decisionTaskCompletedEventId, initiatedEventId,
// latestCancelRequestedEventId) names an earlier event of the right type.
func CheckHistory(events []swfapi.HistoryEvent) error {
	if len(events) == 0 {
		return inconsistent(1, "the history has no events")
	}
	types := make([]swfapi.EventType, len(events)+1)
	for i := range events {
		ev := &events[i]
		id := int64(i + 1)
		if ev.EventId == nil || *ev.EventId != id {
			return inconsistent(id, "expected eventId %d, found %s", id, idString(ev.EventId))
		}
		if ev.EventType == nil {
			return inconsistent(id, "eventType is missing")
		}
		if ev.EventTimestamp == nil {
			return inconsistent(id, "eventTimestamp is missing")
		}
		if i > 0 && ev.EventTimestamp.Before(events[i-1].EventTimestamp.Time) {
			return inconsistent(id, "its timestamp is before that of event %d", id-1)
		}
		t := *ev.EventType
		if (i == 0) != (t == swfapi.EventTypeWorkflowExecutionStarted) {
			return inconsistent(id, "a history begins with WorkflowExecutionStarted, and only there, not %s", t)
		}
		if IsClosing(t) && i != len(events)-1 {
			return inconsistent(id, "%s closes the run but events follow it", t)
		}
		attrs := ev.Attributes()
		if attrs == nil {
			return inconsistent(id, "%s has no %sEventAttributes", t, lowerFirst(string(t)))
		}
		if n := countAttributes(ev); n != 1 {
			return inconsistent(id, "it carries %d attribute members, not only those of %s", n, t)
		}
		if err := checkRefs(id, t, attrs, types); err != nil {
			return err
		}
		types[id] = t
	}
	return nil
}

func checkRefs(id int64, t swfapi.EventType, attrs any, types []swfapi.EventType) error {
	v := reflect.ValueOf(attrs).Elem()
	for _, name := range refFields {
		f := v.FieldByName(name)
		if !f.IsValid() {
			continue
		}
		want, zeroOK := referent(t, name)
		if want == "" {
			continue
		}
		member := lowerFirst(name)
		if f.IsNil() {
			if zeroOK {
				continue
			}
			return inconsistent(id, "%s has no %s", t, member)
		}
		ref := f.Elem().Int()
		switch {
		case ref == 0 && zeroOK:
		case ref <= 0 || ref >= id:
			return inconsistent(id, "%s %d does not name an earlier event", member, ref)
		case types[ref] != want:
			return inconsistent(id, "%s %d names a %s event, not %s", member, ref, types[ref], want)
		}
	}
	return nil
}

// countAttributes counts the *EventAttributes members an event carries.
func countAttributes(ev *swfapi.HistoryEvent) int {
	v := reflect.ValueOf(ev).Elem()
	n := 0
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() && strings.HasSuffix(v.Type().Field(i).Name, "EventAttributes") {
			n++
		}
	}
	return n
}

func idString(p *int64) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}
