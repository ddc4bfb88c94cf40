package main

// conditionKeys are the IAM condition keys Amazon SWF sets for its
// operations, as its IAM documentation lists them (SWF-API.md §12.3): each
// with the request member that gives its value, by the API model's member
// names. This is the only hand-written part of the engine's authorization
// table; everything else (what each operation acts on, the Go fields and
// types the keys are read from) comes from the model. An operation listed
// nowhere sets no key of its own (only aws:ResourceTag/*, which the engine
// adds from the domain's tags).
//
// The member path is read as follows:
//   - a path to a string gives the key its value when the request has it;
//   - a path through a list gives the key one value per element, or, when
//     the key ends in ".N", one key per element with N its index (from 0);
//   - "${m}" in a key names member m of the list's element (the tag's key).
//
// Registered defaults that fill a key the request leaves out (the workflow
// type's default task list for StartWorkflowExecution) are the engine's
// (authRequest); the decisions' keys are internal/workflow's (Permit).
var conditionKeys = []keyGroup{
	{ops: []string{"CountClosedWorkflowExecutions", "CountOpenWorkflowExecutions", "ListClosedWorkflowExecutions", "ListOpenWorkflowExecutions"},
		keys: []key{
			{"swf:tagFilter.tag", "tagFilter.tag"},
			{"swf:typeFilter.name", "typeFilter.name"},
			{"swf:typeFilter.version", "typeFilter.version"},
		}},
	{ops: []string{"CountPendingActivityTasks", "CountPendingDecisionTasks", "PollForActivityTask", "PollForDecisionTask"},
		keys: []key{
			{"swf:taskList.name", "taskList.name"},
		}},
	{ops: []string{"DeleteActivityType", "DeprecateActivityType", "UndeprecateActivityType", "DescribeActivityType"},
		keys: []key{
			{"swf:activityType.name", "activityType.name"},
			{"swf:activityType.version", "activityType.version"},
		}},
	{ops: []string{"DeleteWorkflowType", "DeprecateWorkflowType", "UndeprecateWorkflowType", "DescribeWorkflowType"},
		keys: []key{
			{"swf:workflowType.name", "workflowType.name"},
			{"swf:workflowType.version", "workflowType.version"},
		}},
	{ops: []string{"RegisterActivityType", "RegisterWorkflowType"},
		keys: []key{
			{"swf:name", "name"},
			{"swf:version", "version"},
			{"swf:defaultTaskList.name", "defaultTaskList.name"},
		}},
	{ops: []string{"StartWorkflowExecution"},
		keys: []key{
			{"swf:tagList.member.N", "tagList"},
			{"swf:taskList.name", "taskList.name"},
			{"swf:workflowType.name", "workflowType.name"},
			{"swf:workflowType.version", "workflowType.version"},
		}},
	// AWS's tag keys, on the operations that put or remove a domain's tags
	// (SWF-API.md §12.2).
	{ops: []string{"RegisterDomain", "TagResource"},
		keys: []key{
			{"aws:RequestTag/${key}", "tags.value"},
			{"aws:TagKeys", "tags.key"},
		}},
	{ops: []string{"UntagResource"},
		keys: []key{
			{"aws:TagKeys", "tagKeys"},
		}},
}

// keyGroup is a set of condition keys that the operations ops all set.
type keyGroup struct {
	ops  []string
	keys []key
}

// key is a condition key and the path of the request member it is read
// from (member names separated by dots).
type key struct {
	name, member string
}
