package workflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

// The decision tables below are generated from the API model: every member
// of every decision's attributes (nested members included) gets each value
// its shape's constraints refuse, and the answer must be a
// ValidationException naming that member, as the wire and the engine give
// it. Where a decision does the work of an operation, the operation's input
// must refuse the same value in the same member: a decision can never create
// what the API would refuse.

// model is the part of api/swf-2012-01-25.model.json these tests read.
type model struct {
	Operations map[string]struct {
		Input struct{ Shape string } `json:"input"`
	} `json:"operations"`
	Shapes map[string]*modelShape `json:"shapes"`
}

type modelShape struct {
	Type     string                            `json:"type"`
	Members  map[string]struct{ Shape string } `json:"members"`
	Required []string                          `json:"required"`
	Member   *struct{ Shape string }           `json:"member"`
	Enum     []string                          `json:"enum"`
	Min      *int                              `json:"min"`
	Max      *int                              `json:"max"`
}

func loadModel(t *testing.T) *model {
	t.Helper()
	raw, err := os.ReadFile("../../api/swf-2012-01-25.model.json")
	if err != nil {
		t.Fatal(err)
	}
	var m model
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// shapeRules are SWF's rules that the model does not carry, by shape, each
// with a value that breaks it and the words of the refusal (the API
// reference's member documentation; SWF-API.md §2).
var shapeRules = map[string][]badValue{
	"Name":                      nameBreakers,
	"Version":                   nameBreakers,
	"WorkflowId":                nameBreakers,
	"ActivityId":                nameBreakers,
	"TimerId":                   nameBreakers,
	"DurationInSeconds":         {{"ten", "Member must be a non-negative integer or NONE"}, {"-1", "Member must be a non-negative integer or NONE"}},
	"DurationInSecondsOptional": {{"ten", "Member must be a non-negative integer or NONE"}, {"1.5", "Member must be a non-negative integer or NONE"}},
	"TaskPriority":              {{"2147483648", "Member must be an integer between"}, {"high", "Member must be an integer between"}},
	"Tag":                       {{"a!", "Member must contain only Unicode letters"}},
}

var nameBreakers = []badValue{
	{"a:b", "Member must not contain ':'"},
	{"a/b", "Member must not contain ':'"},
	{"a|b", "Member must not contain ':'"},
	{"a\u0001b", "Member must not contain ':'"},
	{"a\u0085b", "Member must not contain ':'"},
	{"arn", "must not be the literal 'arn'"},
}

// badValue is a JSON value (absent when nil) and what the refusal says.
type badValue struct {
	value any
	want  string
}

// absent stands for a member left out.
var absent = struct{}{}

// validValue is a value of shape name that every check accepts.
func (m *model) validValue(name string) any {
	s := m.Shapes[name]
	switch {
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Type == "structure":
		v := map[string]any{}
		for _, r := range s.Required {
			v[r] = m.validValue(s.Members[r].Shape)
		}
		return v
	case s.Type == "list":
		return []any{}
	}
	switch name {
	case "DurationInSeconds", "DurationInSecondsOptional", "DurationInDays":
		return "10"
	case "TaskPriority":
		return "0"
	case "Arn":
		return "arn:aws:iam::123456789012:role/r"
	}
	return "x"
}

// badValues lists, for a member of shape name, every value a constraint
// of the model or a rule of its shape refuses.
func (m *model) badValues(name string, required bool) []badValue {
	s := m.Shapes[name]
	var out []badValue
	if required {
		out = append(out, badValue{absent, "Member must not be null"})
	}
	switch s.Type {
	case "string":
		if s.Min != nil && *s.Min > 0 {
			out = append(out, badValue{"", fmt.Sprintf("Member must have length greater than or equal to %d", *s.Min)})
		}
		if s.Max != nil {
			out = append(out, badValue{strings.Repeat("1", *s.Max+1), fmt.Sprintf("Member must have length less than or equal to %d", *s.Max)})
		}
		if len(s.Enum) > 0 {
			out = append(out, badValue{"NOT_A_VALUE", "Member must satisfy enum value set: [" + strings.Join(s.Enum, ", ") + "]"})
		}
		out = append(out, shapeRules[name]...)
	case "list":
		if s.Max != nil {
			items := make([]any, *s.Max+1)
			for i := range items {
				items[i] = m.validValue(s.Member.Shape)
			}
			out = append(out, badValue{items, fmt.Sprintf("Member must have length less than or equal to %d", *s.Max)})
		}
	}
	return out
}

// memberCase is one member (at a dotted path inside a structure) given one
// bad value.
type memberCase struct {
	path string
	bad  badValue
}

// cases walks a structure's members, nested ones included, and lists every
// bad value of each. A list's elements are named as AWS names them
// (tagList.1.member).
func (m *model) cases(shape, prefix string) []memberCase {
	s := m.Shapes[shape]
	var out []memberCase
	for _, mn := range slices.Sorted(maps.Keys(s.Members)) {
		ms := s.Members[mn].Shape
		path := prefix + mn
		for _, b := range m.badValues(ms, slices.Contains(s.Required, mn)) {
			out = append(out, memberCase{path, b})
		}
		switch st := m.Shapes[ms]; st.Type {
		case "structure":
			out = append(out, m.cases(ms, path+".")...)
		case "list":
			for _, b := range m.badValues(st.Member.Shape, false) {
				out = append(out, memberCase{path + ".1.member", b})
			}
		}
	}
	return out
}

// set puts v at a dotted path in a JSON object (absent deletes it); a
// "N.member" step is the N-th element of a list.
func set(obj map[string]any, path string, v any) {
	steps := strings.Split(path, ".")
	var cur any = obj
	for i := 0; i < len(steps)-1; i++ {
		switch c := cur.(type) {
		case map[string]any:
			if i+2 < len(steps) && steps[i+2] == "member" {
				// steps[i] is a list: its first element is set below.
				c[steps[i]] = []any{v}
				return
			}
			if _, ok := c[steps[i]]; !ok {
				c[steps[i]] = map[string]any{}
			}
			cur = c[steps[i]]
		}
	}
	c := cur.(map[string]any)
	if v == absent {
		delete(c, steps[len(steps)-1])
		return
	}
	c[steps[len(steps)-1]] = v
}

// decode turns a JSON object into an operation's input, as the wire does.
func decode[T any](t *testing.T, obj map[string]any) *T {
	t.Helper()
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	in := new(T)
	if err := json.Unmarshal(raw, in); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return in
}

// respond validates a decider's answer as openswf does: the generated
// validation of the wire, then the engine's ValidateDecisions.
func respond(t *testing.T, decisions ...map[string]any) error {
	t.Helper()
	list := make([]any, len(decisions))
	for i, d := range decisions {
		list[i] = d
	}
	in := decode[swfapi.RespondDecisionTaskCompletedInput](t, map[string]any{"taskToken": "t", "decisions": list})
	if err := in.Validate(nil); err != nil {
		return err
	}
	return ValidateDecisions(in.Decisions, Limits{})
}

// counterparts maps the members of a decision's attributes to the members
// of the operation that does the same work: StartWorkflowExecution for a
// child and a continuation, the registration of the activity type for the
// defaults ScheduleActivityTask overrides, SignalWorkflowExecution and
// RequestCancelWorkflowExecution for the external decisions. Members that
// no operation takes (activityId, timerId, markerName, control, …) are
// checked against the model alone.
var counterparts = map[swfapi.DecisionType]struct {
	op      string
	members map[string]string
}{
	swfapi.DecisionTypeStartChildWorkflowExecution: {"StartWorkflowExecution", map[string]string{
		"workflowType": "workflowType", "workflowId": "workflowId", "input": "input",
		"executionStartToCloseTimeout": "executionStartToCloseTimeout", "taskList": "taskList", "taskPriority": "taskPriority",
		"taskStartToCloseTimeout": "taskStartToCloseTimeout", "childPolicy": "childPolicy", "tagList": "tagList", "lambdaRole": "lambdaRole",
	}},
	swfapi.DecisionTypeContinueAsNewWorkflowExecution: {"StartWorkflowExecution", map[string]string{
		"input": "input", "executionStartToCloseTimeout": "executionStartToCloseTimeout", "taskList": "taskList",
		"taskPriority": "taskPriority", "taskStartToCloseTimeout": "taskStartToCloseTimeout", "childPolicy": "childPolicy",
		"tagList": "tagList", "lambdaRole": "lambdaRole", "workflowTypeVersion": "workflowType.version",
	}},
	swfapi.DecisionTypeScheduleActivityTask: {"RegisterActivityType", map[string]string{
		"activityType.name": "name", "activityType.version": "version", "taskList": "defaultTaskList", "taskPriority": "defaultTaskPriority",
		"scheduleToCloseTimeout": "defaultTaskScheduleToCloseTimeout", "scheduleToStartTimeout": "defaultTaskScheduleToStartTimeout",
		"startToCloseTimeout": "defaultTaskStartToCloseTimeout", "heartbeatTimeout": "defaultTaskHeartbeatTimeout",
	}},
	swfapi.DecisionTypeSignalExternalWorkflowExecution: {"SignalWorkflowExecution", map[string]string{
		"workflowId": "workflowId", "runId": "runId", "signalName": "signalName", "input": "input",
	}},
	swfapi.DecisionTypeRequestCancelExternalWorkflowExecution: {"RequestCancelWorkflowExecution", map[string]string{
		"workflowId": "workflowId", "runId": "runId",
	}},
}

// counterpart is the operation member that a decision member at path
// stands for, if any.
func counterpart(t swfapi.DecisionType, path string) (op, opPath string) {
	c, ok := counterparts[t]
	if !ok {
		return "", ""
	}
	for from, to := range c.members {
		if path == from || strings.HasPrefix(path, from+".") {
			return c.op, to + strings.TrimPrefix(path, from)
		}
	}
	return "", ""
}

// wantRefused asserts err is a ValidationException naming path with want.
func wantRefused(t *testing.T, err error, path, want string) {
	t.Helper()
	var ve *swfapi.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a ValidationException at %s (%s), got %v", path, want, err)
	}
	for _, p := range ve.Problems {
		if strings.Contains(p, " at '"+path+"' failed to satisfy constraint: ") && strings.Contains(p, want) {
			return
		}
	}
	t.Fatalf("want %q at '%s', got %v", want, path, err)
}

// Every member of every decision's attributes is refused, naming it, for
// each value its shape refuses; and so is the same value in the operation
// that does the decision's work.
func TestDecisionAttributesValidatedLikeTheirOperations(t *testing.T) {
	m := loadModel(t)
	decision := m.Shapes["Decision"]
	checked := map[swfapi.DecisionType]int{}
	for _, dt := range swfapi.DecisionTypeValues {
		attrs := lowerFirst(string(dt)) + "DecisionAttributes"
		shape := decision.Members[attrs].Shape
		if shape == "" {
			t.Fatalf("the model's Decision has no %s", attrs)
		}
		for _, c := range m.cases(shape, "") {
			name := fmt.Sprintf("%s/%s=%.20v", dt, c.path, c.bad.value)
			t.Run(name, func(t *testing.T) {
				a := m.validValue(shape).(map[string]any)
				set(a, c.path, c.bad.value)
				err := respond(t, map[string]any{"decisionType": string(dt), attrs: a})
				wantRefused(t, err, "decisions.1.member."+attrs+"."+c.path, c.bad.want)

				op, opPath := counterpart(dt, c.path)
				if op == "" {
					return
				}
				inShape := m.Operations[op].Input.Shape
				obj := m.validValue(inShape).(map[string]any)
				set(obj, opPath, c.bad.value)
				raw, _ := json.Marshal(obj)
				in := swfapi.LookupOperation(op).NewInput()
				if err := json.Unmarshal(raw, in); err != nil {
					t.Fatal(err)
				}
				wantRefused(t, in.Validate(nil), opPath, c.bad.want)
			})
			checked[dt]++
		}
		// The valid attributes themselves pass.
		if err := respond(t, map[string]any{"decisionType": string(dt), attrs: m.validValue(shape)}); err != nil {
			t.Errorf("%s with valid attributes: %v", dt, err)
		}
	}
	for _, dt := range swfapi.DecisionTypeValues {
		if checked[dt] == 0 {
			t.Errorf("%s: no member checked", dt)
		}
	}
	if len(checked) != 13 {
		t.Fatalf("%d decision types checked, want 13", len(checked))
	}
}

// decisionWith is a decision of type dt whose valid attributes (from the
// model) are changed by set: path → value.
func decisionWith(m *model, dt swfapi.DecisionType, changes map[string]any) map[string]any {
	attrs := lowerFirst(string(dt)) + "DecisionAttributes"
	a := m.validValue(m.Shapes["Decision"].Members[attrs].Shape).(map[string]any)
	for p, v := range changes {
		set(a, p, v)
	}
	return map[string]any{"decisionType": string(dt), attrs: a}
}

// Where the reference gives a decision a rule of its own, the decision
// follows it: durations each decision bounds, NONE where the reference
// allows it (a child's and a continuation's execution timeout, unlike
// StartWorkflowExecution's), and task lists a poller can name (the
// reference: a task list "must not start or end with whitespace", and both
// polls refuse such a name, so a task put on it could never be taken).
func TestDecisionOwnRules(t *testing.T) {
	m := loadModel(t)
	const year = "31536000"
	const member = "decisions.1.member."
	for _, c := range []struct {
		dt      swfapi.DecisionType
		changes map[string]any
		// path and want are empty when the decision is valid.
		path, want string
	}{
		{swfapi.DecisionTypeStartChildWorkflowExecution, map[string]any{"executionStartToCloseTimeout": "NONE"}, "", ""},
		{swfapi.DecisionTypeStartChildWorkflowExecution, map[string]any{"executionStartToCloseTimeout": year}, "", ""},
		{swfapi.DecisionTypeStartChildWorkflowExecution, map[string]any{"executionStartToCloseTimeout": "31536001"}, "startChildWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout", "from 0 to 31536000"},
		{swfapi.DecisionTypeStartChildWorkflowExecution, map[string]any{"taskStartToCloseTimeout": "NONE"}, "", ""},
		{swfapi.DecisionTypeStartChildWorkflowExecution, map[string]any{"taskList": map[string]any{"name": " child"}}, "startChildWorkflowExecutionDecisionAttributes.taskList.name", "Member must not start or end with whitespace"},
		{swfapi.DecisionTypeStartChildWorkflowExecution, map[string]any{"taskList": map[string]any{"name": "child "}}, "startChildWorkflowExecutionDecisionAttributes.taskList.name", "Member must not start or end with whitespace"},
		{swfapi.DecisionTypeStartChildWorkflowExecution, map[string]any{"taskList": map[string]any{"name": "a child"}}, "", ""},
		{swfapi.DecisionTypeContinueAsNewWorkflowExecution, map[string]any{"executionStartToCloseTimeout": "NONE"}, "", ""},
		{swfapi.DecisionTypeContinueAsNewWorkflowExecution, map[string]any{"executionStartToCloseTimeout": "31536001"}, "continueAsNewWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout", "from 0 to 31536000"},
		{swfapi.DecisionTypeContinueAsNewWorkflowExecution, map[string]any{"taskList": map[string]any{"name": "next "}}, "continueAsNewWorkflowExecutionDecisionAttributes.taskList.name", "Member must not start or end with whitespace"},
		{swfapi.DecisionTypeScheduleActivityTask, map[string]any{"taskList": map[string]any{"name": " work"}}, "scheduleActivityTaskDecisionAttributes.taskList.name", "Member must not start or end with whitespace"},
		{swfapi.DecisionTypeScheduleActivityTask, map[string]any{"scheduleToCloseTimeout": "NONE", "heartbeatTimeout": "NONE"}, "", ""},
		{swfapi.DecisionTypeStartTimer, map[string]any{"startToFireTimeout": "0"}, "", ""},
		{swfapi.DecisionTypeStartTimer, map[string]any{"startToFireTimeout": "NONE"}, "startTimerDecisionAttributes.startToFireTimeout", "(NONE is not allowed)"},
		{swfapi.DecisionTypeStartTimer, map[string]any{"startToFireTimeout": "31536001"}, "startTimerDecisionAttributes.startToFireTimeout", "from 0 to 31536000"},
		{swfapi.DecisionTypeScheduleLambdaFunction, map[string]any{"startToCloseTimeout": "900"}, "", ""},
		{swfapi.DecisionTypeScheduleLambdaFunction, map[string]any{"startToCloseTimeout": "0"}, "scheduleLambdaFunctionDecisionAttributes.startToCloseTimeout", "from 1 to 900"},
		{swfapi.DecisionTypeScheduleLambdaFunction, map[string]any{"startToCloseTimeout": "901"}, "scheduleLambdaFunctionDecisionAttributes.startToCloseTimeout", "from 1 to 900"},
		{swfapi.DecisionTypeScheduleLambdaFunction, map[string]any{"startToCloseTimeout": "NONE"}, "scheduleLambdaFunctionDecisionAttributes.startToCloseTimeout", "(NONE is not allowed)"},
	} {
		err := respond(t, decisionWith(m, c.dt, c.changes))
		if c.path == "" {
			if err != nil {
				t.Errorf("%s %v: %v", c.dt, c.changes, err)
			}
			continue
		}
		wantRefused(t, err, member+c.path, c.want)
	}
}

// A decision without its attributes member, and a closing decision that is
// not last, are refused in Amazon SWF's own words. Only the four closing
// decisions, whose attributes are all optional, may leave them out.
func TestDecisionListStructure(t *testing.T) {
	m := loadModel(t)
	for _, dt := range swfapi.DecisionTypeValues {
		err := respond(t, map[string]any{"decisionType": string(dt)})
		if closeDecisions[dt] {
			if err != nil {
				t.Errorf("%s without attributes: %v", dt, err)
			}
			continue
		}
		want := fmt.Sprintf("ValidationException: %sDecisionAttributes must be specified for decision of type %s", dt, dt)
		var ae *swfapi.Error
		if !errors.As(err, &ae) || err.Error() != want {
			t.Errorf("%s without attributes: got %v, want %s", dt, err, want)
		}
	}
	marker := decisionWith(m, swfapi.DecisionTypeRecordMarker, nil)
	done := map[string]any{"decisionType": "CompleteWorkflowExecution"}
	if err := respond(t, marker, done); err != nil {
		t.Fatalf("close last: %v", err)
	}
	for name, list := range map[string][]map[string]any{
		"close not last":      {done, marker},
		"two closes":          {done, done},
		"continue not last":   {decisionWith(m, swfapi.DecisionTypeContinueAsNewWorkflowExecution, nil), marker},
		"missing after close": {done, {"decisionType": "StartTimer"}},
	} {
		err := respond(t, list...)
		if err == nil || err.Error() != "ValidationException: Close must be last decision in list" {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A member's problem is reported before the list's structure.
	bad := decisionWith(m, swfapi.DecisionTypeStartTimer, map[string]any{"startToFireTimeout": "NONE"})
	wantRefused(t, respond(t, done, bad), "decisions.2.member.startTimerDecisionAttributes.startToFireTimeout", "(NONE is not allowed)")
}
