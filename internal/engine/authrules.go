package engine

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/openswf/openswf/internal/swfapi"
)

// authRules says, for every operation, what a call of it acts on and which
// IAM condition keys its request sets (SWF-API.md §12.3): the data that
// Authorize checks a caller's policies against.
var authRules = map[string]authRule{
	"ListDomains":         {on: onAccount},
	"RegisterDomain":      {on: onDomainName, keys: []condKey{requestTagKeys}},
	"DescribeDomain":      {on: onDomainName},
	"DeprecateDomain":     {on: onDomainName},
	"UndeprecateDomain":   {on: onDomainName},
	"TagResource":         {on: onARN, keys: []condKey{requestTagKeys}},
	"UntagResource":       {on: onARN, keys: []condKey{removedTagKeys}},
	"ListTagsForResource": {on: onARN},

	"RegisterActivityType":    {on: onDomain, keys: registrationKeys},
	"RegisterWorkflowType":    {on: onDomain, keys: registrationKeys},
	"DescribeActivityType":    {on: onDomain, keys: activityTypeKeys},
	"DeprecateActivityType":   {on: onDomain, keys: activityTypeKeys},
	"UndeprecateActivityType": {on: onDomain, keys: activityTypeKeys},
	"DeleteActivityType":      {on: onDomain, keys: activityTypeKeys},
	"DescribeWorkflowType":    {on: onDomain, keys: workflowTypeKeys},
	"DeprecateWorkflowType":   {on: onDomain, keys: workflowTypeKeys},
	"UndeprecateWorkflowType": {on: onDomain, keys: workflowTypeKeys},
	"DeleteWorkflowType":      {on: onDomain, keys: workflowTypeKeys},
	"ListActivityTypes":       {on: onDomain},
	"ListWorkflowTypes":       {on: onDomain},

	// A start without a task list sets swf:taskList.name to its type's
	// default (see authRequest).
	"StartWorkflowExecution":         {on: onDomain, keys: append([]condKey{tagListKeys, taskListKey}, workflowTypeKeys...)},
	"SignalWorkflowExecution":        {on: onDomain},
	"RequestCancelWorkflowExecution": {on: onDomain},
	"TerminateWorkflowExecution":     {on: onDomain},
	"DescribeWorkflowExecution":      {on: onDomain},
	"GetWorkflowExecutionHistory":    {on: onDomain},
	"CountOpenWorkflowExecutions":    {on: onDomain, keys: filterKeys},
	"CountClosedWorkflowExecutions":  {on: onDomain, keys: filterKeys},
	"ListOpenWorkflowExecutions":     {on: onDomain, keys: filterKeys},
	"ListClosedWorkflowExecutions":   {on: onDomain, keys: filterKeys},

	"PollForDecisionTask":          {on: onDomain, keys: []condKey{taskListKey}},
	"PollForActivityTask":          {on: onDomain, keys: []condKey{taskListKey}},
	"CountPendingDecisionTasks":    {on: onDomain, keys: []condKey{taskListKey}},
	"CountPendingActivityTasks":    {on: onDomain, keys: []condKey{taskListKey}},
	"RespondDecisionTaskCompleted": {on: onToken},
	"RecordActivityTaskHeartbeat":  {on: onToken},
	"RespondActivityTaskCompleted": {on: onToken},
	"RespondActivityTaskFailed":    {on: onToken},
	"RespondActivityTaskCanceled":  {on: onToken},
}

// The condition keys that several operations set.
var (
	taskListKey      = field("swf:taskList.name", "TaskList", "Name")
	registrationKeys = []condKey{
		field("swf:name", "Name"),
		field("swf:version", "Version"),
		field("swf:defaultTaskList.name", "DefaultTaskList", "Name"),
	}
	activityTypeKeys = []condKey{
		field("swf:activityType.name", "ActivityType", "Name"),
		field("swf:activityType.version", "ActivityType", "Version"),
	}
	workflowTypeKeys = []condKey{
		field("swf:workflowType.name", "WorkflowType", "Name"),
		field("swf:workflowType.version", "WorkflowType", "Version"),
	}
	filterKeys = []condKey{
		field("swf:tagFilter.tag", "TagFilter", "Tag"),
		field("swf:typeFilter.name", "TypeFilter", "Name"),
		field("swf:typeFilter.version", "TypeFilter", "Version"),
	}
)

// authOn is what a call acts on: the account's domains, or one domain,
// named by a field of its input.
type authOn int

const (
	onAccount    authOn = iota // every domain of the account (arn:…:domain/*)
	onDomain                   // the domain of the input's Domain
	onDomainName               // the domain of the input's Name (the domain operations)
	onARN                      // the domain of the input's ResourceArn ("" for another resource)
	onToken                    // the domain of the task of the input's TaskToken ("" for a token not ours)
)

// resourceFields is the input field that names what a call acts on.
var resourceFields = map[authOn]string{onDomain: "Domain", onDomainName: "Name", onARN: "ResourceArn", onToken: "TaskToken"}

// authRule is how an operation is authorized.
type authRule struct {
	on   authOn
	keys []condKey
}

// condKey sets condition keys from an input (a struct value).
type condKey func(in reflect.Value, keys map[string][]string)

// resource is the value of the input field that names what the call acts
// on (the inputs are validated: the field is set).
func (r authRule) resource(in reflect.Value) string {
	return swfapi.Deref(fieldOf(in, resourceFields[r.on]).Interface().(*string))
}

// conditionKeys are the condition keys the input sets.
func (r authRule) conditionKeys(in reflect.Value) map[string][]string {
	keys := map[string][]string{}
	for _, k := range r.keys {
		k(in, keys)
	}
	return keys
}

// field sets key to the string at path (field names, through optional
// structures), when the request has it.
func field(key string, path ...string) condKey {
	return func(in reflect.Value, keys map[string][]string) {
		v := in
		for _, name := range path {
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					return
				}
				v = v.Elem()
			}
			v = fieldOf(v, name)
		}
		if s, _ := v.Interface().(*string); s != nil {
			keys[key] = []string{*s}
		}
	}
}

// fieldOf is the named field of a struct value; an input without it is a
// mistake of the rules, which TestAuthRules shows.
func fieldOf(v reflect.Value, name string) reflect.Value {
	f := v.FieldByName(name)
	if !f.IsValid() {
		panic(fmt.Sprintf("authorize: %s has no field %s", v.Type(), name))
	}
	return f
}

// tagListKeys sets swf:tagList.member.N to the Nth tag of a run.
func tagListKeys(in reflect.Value, keys map[string][]string) {
	for i, t := range fieldOf(in, "TagList").Interface().([]string) {
		keys["swf:tagList.member."+strconv.Itoa(i)] = []string{t}
	}
}

// requestTagKeys sets aws:RequestTag/KEY and aws:TagKeys to the resource tags
// a request puts.
func requestTagKeys(in reflect.Value, keys map[string][]string) {
	for _, t := range fieldOf(in, "Tags").Interface().([]swfapi.ResourceTag) {
		keys["aws:RequestTag/"+*t.Key] = []string{swfapi.Deref(t.Value)}
		keys["aws:TagKeys"] = append(keys["aws:TagKeys"], *t.Key)
	}
}

// removedTagKeys sets aws:TagKeys to the keys of the resource tags a request
// removes.
func removedTagKeys(in reflect.Value, keys map[string][]string) {
	keys["aws:TagKeys"] = fieldOf(in, "TagKeys").Interface().([]string)
}
