package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The generator refuses keys the model cannot back, naming the cause, so a
// mistake in keys.go (or a model that changed under it) stops go generate
// rather than leave an operation with a key read from nowhere.
func TestGenerateRefusesKeysTheModelLacks(t *testing.T) {
	raw, err := os.ReadFile("../../../api/swf-2012-01-25.model.json")
	if err != nil {
		t.Fatal(err)
	}
	var m model
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if _, err := generate(&m, conditionKeys); err != nil {
		t.Fatalf("SWF's keys: %v", err)
	}
	for _, c := range []struct {
		group keyGroup
		want  string
	}{
		{keyGroup{ops: []string{"StartWorkflowExecutions"}, keys: []key{{"swf:x", "domain"}}}, "no operation of"},
		{keyGroup{ops: []string{"PollForDecisionTask"}, keys: []key{{"swf:taskList.name", "taskList.nam"}}}, "TaskList has no member nam"},
		{keyGroup{ops: []string{"PollForDecisionTask"}, keys: []key{{"swf:taskList", "taskList"}}}, "ends at the structure TaskList"},
		{keyGroup{ops: []string{"StartWorkflowExecution"}, keys: []key{{"swf:childPolicy", "childPolicy"}}}, "is an enum"},
		{keyGroup{ops: []string{"StartWorkflowExecution"}, keys: []key{{"swf:workflowType.name.N", "workflowType.name"}}}, ".N needs a list"},
		{keyGroup{ops: []string{"StartWorkflowExecution"}, keys: []key{{"swf:tag/${key}", "tagList"}}}, "needs a list of structures"},
	} {
		_, err := generate(&m, []keyGroup{c.group})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one saying %q", c.group, err, c.want)
		}
	}
}
