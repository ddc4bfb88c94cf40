package engine

import (
	"reflect"
	"slices"
	"strings"
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

// Every operation has a rule, naming the member of its input that says what
// it acts on, and a request that has every member sets each condition key
// the rule names, and no other.
func TestAuthRules(t *testing.T) {
	t.Parallel()
	for _, op := range swfapi.OperationNames() {
		rule, ok := authRules[op]
		if !ok {
			t.Errorf("%s has no rule", op)
			continue
		}
		in := swfapi.LookupOperation(op).NewInput()
		fill(reflect.ValueOf(in).Elem())
		if rule.on != onAccount && rule.resource(in) != "x" {
			t.Errorf("%s: the resource is %q, want the member %s", op, rule.resource(in), rule.member)
		}
		keys := rule.conditionKeys(in)
		want := map[string]bool{}
		for _, name := range rule.keyNames {
			name = strings.Replace(strings.Replace(name, "${key}", "x", 1), ".N", ".0", 1)
			want[name] = true
			if len(keys[name]) == 0 {
				t.Errorf("%s: a full request does not set %s: %v", op, name, keys)
			}
		}
		for k := range keys {
			if !want[k] {
				t.Errorf("%s: sets %s, which its rule does not name (%v)", op, k, rule.keyNames)
			}
		}
	}
	for op := range authRules {
		if swfapi.LookupOperation(op) == nil {
			t.Errorf("a rule for %s, which is no operation", op)
		}
	}
}

// What each operation acts on (SWF-API.md §12.2), as the generator reads it
// from the model: the account for ListDomains, the domain a domain
// operation names, the domain of a resource ARN or of a task token's task,
// and the input's domain for every other operation.
func TestAuthRuleResources(t *testing.T) {
	want := map[string]authOn{
		"ListDomains":    onAccount,
		"RegisterDomain": onDomainName, "DescribeDomain": onDomainName, "DeprecateDomain": onDomainName, "UndeprecateDomain": onDomainName,
		"TagResource": onARN, "UntagResource": onARN, "ListTagsForResource": onARN,
		"RespondDecisionTaskCompleted": onToken, "RecordActivityTaskHeartbeat": onToken, "RespondActivityTaskCompleted": onToken,
		"RespondActivityTaskFailed": onToken, "RespondActivityTaskCanceled": onToken,
	}
	for op, rule := range authRules {
		on, ok := want[op]
		if !ok {
			on = onDomain
		}
		if rule.on != on {
			t.Errorf("%s acts on %d, want %d", op, rule.on, on)
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
	got := authRules["StartWorkflowExecution"].conditionKeys(in)
	want := map[string][]string{
		"swf:workflowType.name": {"wt"}, "swf:workflowType.version": {"1"},
		"swf:taskList.name": {"tl"}, "swf:tagList.member.0": {"a"}, "swf:tagList.member.1": {"b"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("StartWorkflowExecution keys = %v, want %v", got, want)
	}

	list := &swfapi.ListClosedWorkflowExecutionsInput{Domain: swfapi.Ptr("d"), TypeFilter: &swfapi.WorkflowTypeFilter{Name: swfapi.Ptr("wt")}}
	got = authRules["ListClosedWorkflowExecutions"].conditionKeys(list)
	if want := map[string][]string{"swf:typeFilter.name": {"wt"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("ListClosedWorkflowExecutions keys = %v, want %v (a version left out sets no key)", got, want)
	}

	tag := &swfapi.TagResourceInput{ResourceArn: swfapi.Ptr("arn"), Tags: []swfapi.ResourceTag{{Key: swfapi.Ptr("k1"), Value: swfapi.Ptr("v1")}, {Key: swfapi.Ptr("k2")}}}
	got = authRules["TagResource"].conditionKeys(tag)
	if !reflect.DeepEqual(got["aws:RequestTag/k1"], []string{"v1"}) || !reflect.DeepEqual(got["aws:RequestTag/k2"], []string{""}) ||
		!slices.Equal(got["aws:TagKeys"], []string{"k1", "k2"}) {
		t.Errorf("TagResource keys = %v", got)
	}
}
