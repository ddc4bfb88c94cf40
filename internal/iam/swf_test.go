package iam

import "testing"

// Policies in the manner of the Amazon SWF Developer Guide, "Amazon SWF IAM
// Policies" and "API Summary":
// https://docs.aws.amazon.com/amazonswf/latest/developerguide/swf-dev-iam.policies.html
// https://docs.aws.amazon.com/amazonswf/latest/developerguide/swf-dev-iam.api.html

func swfDomain(name string) string { return "arn:aws:swf:us-east-1:123456789012:/domain/" + name }

func TestSWFAllowAllOnOneDomain(t *testing.T) {
	p := MustParse(`{
	  "Version": "2012-10-17",
	  "Statement": [{
	    "Effect": "Allow",
	    "Action": "swf:*",
	    "Resource": "arn:aws:swf:*:123456789012:/domain/department1"
	  }]
	}`)
	for _, tt := range []struct {
		action, resource string
		want             Decision
	}{
		{"swf:StartWorkflowExecution", swfDomain("department1"), Allow},
		{"swf:PollForActivityTask", swfDomain("department1"), Allow},
		{"swf:RespondDecisionTaskCompleted", swfDomain("department1"), Allow},
		{"swf:ScheduleActivityTask", swfDomain("department1"), Allow}, // pseudo API too
		{"swf:StartWorkflowExecution", "arn:aws:swf:eu-west-1:123456789012:/domain/department1", Allow},
		{"swf:StartWorkflowExecution", swfDomain("department2"), ImplicitDeny},
		{"swf:StartWorkflowExecution", "arn:aws:swf:us-east-1:999999999999:/domain/department1", ImplicitDeny},
		{"swf:ListDomains", "*", ImplicitDeny}, // needs Resource "*"
		{"swf:RegisterDomain", "*", ImplicitDeny},
	} {
		if got := Evaluate([]*Policy{p}, Request{Action: tt.action, Resource: tt.resource}); got != tt.want {
			t.Errorf("%s on %s: %v, want %v", tt.action, tt.resource, got, tt.want)
		}
	}
}

func TestSWFDeciderWithPseudoActions(t *testing.T) {
	// A decider may complete decision tasks in department2 but only schedule
	// one activity type, on one task list, and start timers; any other
	// decision (say CompleteWorkflowExecution) is refused.
	p := MustParse(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {
	      "Effect": "Allow",
	      "Action": ["swf:PollForDecisionTask", "swf:RespondDecisionTaskCompleted"],
	      "Resource": "arn:aws:swf:*:123456789012:/domain/department2",
	      "Condition": {"StringEquals": {"swf:taskList.name": "decider-list"}}
	    },
	    {
	      "Effect": "Allow",
	      "Action": "swf:ScheduleActivityTask",
	      "Resource": "arn:aws:swf:*:123456789012:/domain/department2",
	      "Condition": {
	        "StringEquals": {
	          "swf:activityType.name": "ProcessPayment",
	          "swf:activityType.version": ["1.0", "1.1"],
	          "swf:taskList.name": "payments"
	        }
	      }
	    },
	    {
	      "Effect": "Allow",
	      "Action": ["swf:StartTimer", "swf:CancelTimer"],
	      "Resource": "arn:aws:swf:*:123456789012:/domain/department2"
	    }
	  ]
	}`)
	dept2 := swfDomain("department2")
	schedule := func(ctx map[string][]string) Request {
		return Request{Action: "swf:ScheduleActivityTask", Resource: dept2, Context: ctx}
	}
	for _, tt := range []struct {
		name string
		req  Request
		want Decision
	}{
		{"poll on decider list", Request{Action: "swf:PollForDecisionTask", Resource: dept2, Context: map[string][]string{"swf:taskList.name": {"decider-list"}}}, Allow},
		{"poll on other list", Request{Action: "swf:PollForDecisionTask", Resource: dept2, Context: map[string][]string{"swf:taskList.name": {"other"}}}, ImplicitDeny},
		{"respond", Request{Action: "swf:RespondDecisionTaskCompleted", Resource: dept2, Context: map[string][]string{"swf:taskList.name": {"decider-list"}}}, Allow},
		{"schedule allowed type", schedule(map[string][]string{
			"swf:activityType.name": {"ProcessPayment"}, "swf:activityType.version": {"1.1"}, "swf:taskList.name": {"payments"},
		}), Allow},
		{"schedule other version", schedule(map[string][]string{
			"swf:activityType.name": {"ProcessPayment"}, "swf:activityType.version": {"2.0"}, "swf:taskList.name": {"payments"},
		}), ImplicitDeny},
		{"schedule other type", schedule(map[string][]string{
			"swf:activityType.name": {"Refund"}, "swf:activityType.version": {"1.0"}, "swf:taskList.name": {"payments"},
		}), ImplicitDeny},
		// The guide: StringEquals needs the parameter in the request; a
		// decision that leaves the task list to the type's default is
		// refused (unless the caller puts the default in the context).
		{"schedule without task list", schedule(map[string][]string{
			"swf:activityType.name": {"ProcessPayment"}, "swf:activityType.version": {"1.0"},
		}), ImplicitDeny},
		{"start timer", Request{Action: "swf:StartTimer", Resource: dept2}, Allow},
		{"complete workflow", Request{Action: "swf:CompleteWorkflowExecution", Resource: dept2}, ImplicitDeny},
		{"other domain", Request{Action: "swf:ScheduleActivityTask", Resource: swfDomain("department1"), Context: map[string][]string{
			"swf:activityType.name": {"ProcessPayment"}, "swf:activityType.version": {"1.0"}, "swf:taskList.name": {"payments"},
		}}, ImplicitDeny},
	} {
		if got := Evaluate([]*Policy{p}, tt.req); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSWFOptionalParametersWithIfExists(t *testing.T) {
	// The guide's advice for optional parameters: StringEqualsIfExists lets
	// a decision omit the task list, yet constrains it when given.
	p := MustParse(`{
	  "Version": "2012-10-17",
	  "Statement": {
	    "Effect": "Allow",
	    "Action": "swf:ScheduleActivityTask",
	    "Resource": "arn:aws:swf:*:123456789012:/domain/*",
	    "Condition": {
	      "StringEquals": {"swf:activityType.name": "ProcessPayment"},
	      "StringEqualsIfExists": {"swf:taskList.name": "payments"}
	    }
	  }
	}`)
	for _, tt := range []struct {
		ctx  map[string][]string
		want Decision
	}{
		{map[string][]string{"swf:activityType.name": {"ProcessPayment"}}, Allow},
		{map[string][]string{"swf:activityType.name": {"ProcessPayment"}, "swf:taskList.name": {"payments"}}, Allow},
		{map[string][]string{"swf:activityType.name": {"ProcessPayment"}, "swf:taskList.name": {"other"}}, ImplicitDeny},
		{map[string][]string{"swf:taskList.name": {"payments"}}, ImplicitDeny},
	} {
		req := Request{Action: "swf:ScheduleActivityTask", Resource: swfDomain("orders"), Context: tt.ctx}
		if got := Evaluate([]*Policy{p}, req); got != tt.want {
			t.Errorf("%v: %v, want %v", tt.ctx, got, tt.want)
		}
	}
}

func TestSWFDenyStartByTag(t *testing.T) {
	// An operator's base policy allows all of SWF; a second policy denies
	// starting executions tagged "production" in any of the first two tag
	// slots, and requires every other start to carry a team tag.
	base := MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"swf:*","Resource":"*"}}`)
	guard := MustParse(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {
	      "Sid": "NoProductionTag0",
	      "Effect": "Deny",
	      "Action": "swf:StartWorkflowExecution",
	      "Resource": "*",
	      "Condition": {"StringEquals": {"swf:tagList.member.0": "production"}}
	    },
	    {
	      "Sid": "NoProductionTag1",
	      "Effect": "Deny",
	      "Action": ["swf:StartWorkflowExecution", "swf:StartChildWorkflowExecution"],
	      "Resource": "*",
	      "Condition": {"StringEquals": {"swf:tagList.member.1": "production"}}
	    },
	    {
	      "Sid": "TeamTagRequired",
	      "Effect": "Deny",
	      "Action": "swf:StartWorkflowExecution",
	      "Resource": "*",
	      "Condition": {"StringNotLike": {"swf:tagList.member.0": "team-*"}}
	    }
	  ]
	}`)
	start := func(tags ...string) Request {
		ctx := map[string][]string{"swf:workflowType.name": {"Order"}}
		for i, tag := range tags {
			ctx["swf:tagList.member."+string(rune('0'+i))] = []string{tag}
		}
		return Request{Action: "swf:StartWorkflowExecution", Resource: swfDomain("orders"), Context: ctx}
	}
	for _, tt := range []struct {
		name string
		req  Request
		want Decision
	}{
		{"team tag", start("team-billing"), Allow},
		{"team tag then production", start("team-billing", "production"), ExplicitDeny},
		{"production first", start("production", "team-billing"), ExplicitDeny},
		{"no tags", start(), ExplicitDeny}, // StringNotLike on an absent key is true
		{"other tag", start("nightly"), ExplicitDeny},
		{"signal is unaffected", Request{Action: "swf:SignalWorkflowExecution", Resource: swfDomain("orders")}, Allow},
	} {
		if got := Evaluate([]*Policy{base, guard}, tt.req); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSWFRegisterAndListDomains(t *testing.T) {
	// RegisterDomain and ListDomains act on no domain: the resource is "*",
	// and only a statement with Resource "*" covers them.
	p := MustParse(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":["swf:ListDomains","swf:RegisterDomain"],"Resource":"*"},
	  {"Effect":"Deny","Action":"swf:RegisterDomain","Resource":"*","Condition":{"StringNotLike":{"swf:name":"team-*"}}}
	]}`)
	for _, tt := range []struct {
		req  Request
		want Decision
	}{
		{Request{Action: "swf:ListDomains", Resource: "*"}, Allow},
		{Request{Action: "swf:RegisterDomain", Resource: "*", Context: map[string][]string{"swf:name": {"team-a"}}}, Allow},
		{Request{Action: "swf:RegisterDomain", Resource: "*", Context: map[string][]string{"swf:name": {"x"}}}, ExplicitDeny},
	} {
		if got := Evaluate([]*Policy{p}, tt.req); got != tt.want {
			t.Errorf("%+v: %v, want %v", tt.req, got, tt.want)
		}
	}
}
