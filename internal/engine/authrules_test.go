package engine

import (
	"reflect"
	"slices"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

// fill sets every exported field of v, through pointers, structures and
// lists (one element), to a value: "x" for strings.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.String:
		v.SetString("x")
	}
}

// Every operation has a rule, naming the field of its input that says what
// it acts on, and every condition key of the rule is set from a request
// that has every field (a rule naming a field the input lacks panics).
func TestAuthRules(t *testing.T) {
	t.Parallel()
	for _, op := range swfapi.OperationNames() {
		rule, ok := authRules[op]
		if !ok {
			t.Errorf("%s has no rule", op)
			continue
		}
		in := swfapi.LookupOperation(op).NewInput()
		v := reflect.ValueOf(in).Elem()
		fill(v)
		if rule.on != onAccount && rule.resource(v) != "x" {
			t.Errorf("%s: the resource is %q, want the field %s", op, rule.resource(v), resourceFields[rule.on])
		}
		keys := rule.conditionKeys(v)
		if len(keys) < len(rule.keys) {
			t.Errorf("%s: %d condition keys set from a full request, want at least %d: %v", op, len(keys), len(rule.keys), keys)
		}
	}
	for op := range authRules {
		if swfapi.LookupOperation(op) == nil {
			t.Errorf("a rule for %s, which is no operation", op)
		}
	}
}

// The keys of a request are what SWF-API.md §12.3 lists for it.
func TestAuthRuleKeys(t *testing.T) {
	t.Parallel()
	in := &swfapi.StartWorkflowExecutionInput{
		Domain:       swfapi.Ptr("d"),
		WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr("wt"), Version: swfapi.Ptr("1")},
		TaskList:     &swfapi.TaskList{Name: swfapi.Ptr("tl")},
		TagList:      []string{"a", "b"},
	}
	got := authRules["StartWorkflowExecution"].conditionKeys(reflect.ValueOf(in).Elem())
	want := map[string][]string{
		"swf:workflowType.name": {"wt"}, "swf:workflowType.version": {"1"},
		"swf:taskList.name": {"tl"}, "swf:tagList.member.0": {"a"}, "swf:tagList.member.1": {"b"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("StartWorkflowExecution keys = %v, want %v", got, want)
	}

	list := &swfapi.ListClosedWorkflowExecutionsInput{Domain: swfapi.Ptr("d"), TypeFilter: &swfapi.WorkflowTypeFilter{Name: swfapi.Ptr("wt")}}
	got = authRules["ListClosedWorkflowExecutions"].conditionKeys(reflect.ValueOf(list).Elem())
	if want := map[string][]string{"swf:typeFilter.name": {"wt"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("ListClosedWorkflowExecutions keys = %v, want %v (a version left out sets no key)", got, want)
	}

	tag := &swfapi.TagResourceInput{ResourceArn: swfapi.Ptr("arn"), Tags: []swfapi.ResourceTag{{Key: swfapi.Ptr("k1"), Value: swfapi.Ptr("v1")}, {Key: swfapi.Ptr("k2")}}}
	got = authRules["TagResource"].conditionKeys(reflect.ValueOf(tag).Elem())
	if !reflect.DeepEqual(got["aws:RequestTag/k1"], []string{"v1"}) || !reflect.DeepEqual(got["aws:RequestTag/k2"], []string{""}) ||
		!slices.Equal(got["aws:TagKeys"], []string{"k1", "k2"}) {
		t.Errorf("TagResource keys = %v", got)
	}
}
