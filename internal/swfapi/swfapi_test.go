package swfapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestValidationMessagesNameEachField(t *testing.T) {
	in := &RespondDecisionTaskCompletedInput{
		TaskToken: Ptr(""),
		Decisions: []Decision{
			{DecisionType: DecisionTypeStartTimer.Ptr(), StartTimerDecisionAttributes: &StartTimerDecisionAttributes{TimerId: Ptr("t:1")}},
			{DecisionType: Ptr(DecisionType("Explode"))},
		},
	}
	err := in.Validate(nil)
	ve, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("Validate() = %v, want a *ValidationError", err)
	}
	want := []string{
		"Value '' at 'taskToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
		"Value 't:1' at 'decisions.1.member.startTimerDecisionAttributes.timerId' failed to satisfy constraint: " + nameRule,
		"Value null at 'decisions.1.member.startTimerDecisionAttributes.startToFireTimeout' failed to satisfy constraint: Member must not be null",
		"Value 'Explode' at 'decisions.2.member.decisionType' failed to satisfy constraint: Member must satisfy enum value set: [ScheduleActivityTask,",
	}
	if len(ve.Problems) != len(want) {
		t.Fatalf("problems:\n%s", strings.Join(ve.Problems, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(ve.Problems[i], w) {
			t.Errorf("problem %d:\n got %s\nwant %s", i, ve.Problems[i], w)
		}
	}
	if !strings.HasPrefix(ve.Error(), "4 validation errors detected: ") {
		t.Errorf("Error() = %s", ve.Error())
	}
}

func TestValidInputPasses(t *testing.T) {
	in := &StartWorkflowExecutionInput{
		Domain:       Ptr("d"),
		WorkflowId:   Ptr("w-1"),
		WorkflowType: &WorkflowType{Name: Ptr("t"), Version: Ptr("1")},
		TagList:      []string{"a", "b c", ""},
		TaskPriority: Ptr("-5"),
		ChildPolicy:  ChildPolicyAbandon.Ptr(),
	}
	if err := in.Validate(nil); err != nil {
		t.Fatal(err)
	}
	in.TagList = []string{"1", "2", "3", "4", "5", "6"}
	if err := in.Validate(nil); err == nil || !strings.Contains(err.Error(), "'tagList'") {
		t.Fatalf("six tags: %v", err)
	}
	in.TagList = []string{"ok", "no#hash"}
	if err := in.Validate(nil); err == nil || !strings.Contains(err.Error(), "'tagList.2.member'") {
		t.Fatalf("bad tag characters: %v", err)
	}
}

func TestLongValuesAreCutInMessages(t *testing.T) {
	err := (&DescribeDomainInput{Name: Ptr(strings.Repeat("x", 5000))}).Validate(nil)
	if err == nil || len(err.Error()) > 400 {
		t.Fatalf("message of %d bytes: %v", len(err.Error()), err)
	}
}

func TestNames(t *testing.T) {
	for _, ok := range []string{"a", "ARN", "arn1", "name with spaces", "ünïcode", "a.b-c_d"} {
		if !ValidName(ok) {
			t.Errorf("ValidName(%q) = false", ok)
		}
	}
	for _, bad := range []string{"arn", "a:b", "a/b", "a|b", "a\tb", "a\x00", "a\x7f", "a\u009f"} {
		if ValidName(bad) {
			t.Errorf("ValidName(%q) = true", bad)
		}
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in       string
		n        int64
		none, ok bool
	}{
		{"0", 0, false, true}, {"300", 300, false, true}, {"99999999", 99999999, false, true}, {"NONE", 0, true, true},
		{"", 0, false, false}, {"none", 0, false, false}, {"-1", 0, false, false}, {"+1", 0, false, false},
		{"1.5", 0, false, false}, {"1e3", 0, false, false}, {"123456789", 0, false, false}, {" 1", 0, false, false},
	}
	for _, c := range cases {
		n, none, ok := ParseDuration(c.in)
		if n != c.n || none != c.none || ok != c.ok {
			t.Errorf("ParseDuration(%q) = %d, %v, %v", c.in, n, none, ok)
		}
	}
}

func TestParsePriority(t *testing.T) {
	for in, want := range map[string]int32{"0": 0, "-2147483648": -2147483648, "2147483647": 2147483647, "+7": 7} {
		if got, ok := ParsePriority(in); !ok || got != want {
			t.Errorf("ParsePriority(%q) = %d, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "2147483648", "1.0", "high"} {
		if _, ok := ParsePriority(bad); ok {
			t.Errorf("ParsePriority(%q) accepted", bad)
		}
	}
}

func TestTimestampJSON(t *testing.T) {
	ts := Timestamp{time.Date(2012, 1, 15, 1, 56, 59, 474_900_000, time.UTC)}
	b, err := json.Marshal(ts)
	if err != nil || string(b) != "1326592619.474" {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	for in, want := range map[string]time.Time{
		"1326592619":             time.Unix(1326592619, 0),
		"1326592619.474":         time.Unix(1326592619, 474_000_000),
		"1.326592619474E9":       time.Unix(1326592619, 474_000_000),
		`"1326592619.5"`:         time.Unix(1326592619, 500_000_000),
		`"2012-01-15T01:56:59Z"`: time.Unix(1326592619, 0),
	} {
		var got Timestamp
		if err := json.Unmarshal([]byte(in), &got); err != nil || !got.Equal(want) {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", in, got.Time, err, want)
		}
	}
	for _, bad := range []string{`"soon"`, `true`, `{}`, `1e300`} {
		var got Timestamp
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
}

func TestEveryOperationHasATable(t *testing.T) {
	if n := len(OperationNames()); n != 39 {
		t.Fatalf("%d operations, want 39", n)
	}
	for _, name := range OperationNames() {
		op := LookupOperation(name)
		if op.Name != name || op.NewInput() == nil {
			t.Errorf("operation %s is incomplete", name)
		}
	}
	if LookupOperation("Nope") != nil {
		t.Error("LookupOperation found an operation that does not exist")
	}
	if n := len(EventTypeValues); n != 54 {
		t.Errorf("%d event types, want 54", n)
	}
	if n := len(DecisionTypeValues); n != 13 {
		t.Errorf("%d decision types, want 13", n)
	}
}
