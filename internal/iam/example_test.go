package iam_test

import (
	"fmt"

	"github.com/openswf/openswf/internal/iam"
)

func ExampleEvaluate() {
	decider := iam.MustParse(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": ["swf:PollForDecisionTask", "swf:RespondDecisionTaskCompleted"],
	     "Resource": "arn:aws:swf:*:123456789012:/domain/orders"},
	    {"Effect": "Allow", "Action": "swf:ScheduleActivityTask",
	     "Resource": "arn:aws:swf:*:123456789012:/domain/orders",
	     "Condition": {"StringLike": {"swf:activityType.name": "Charge*"},
	                   "StringEqualsIfExists": {"swf:taskList.name": "payments"}}}
	  ]
	}`)
	guard := iam.MustParse(`{
	  "Version": "2012-10-17",
	  "Statement": {"Effect": "Deny", "Action": "swf:ScheduleActivityTask", "Resource": "*",
	                "Condition": {"StringEquals": {"swf:activityType.name": "ChargeTwice"}}}
	}`)
	policies := []*iam.Policy{decider, guard}
	domain := "arn:aws:swf:us-east-1:123456789012:/domain/orders"

	for _, name := range []string{"ChargeCard", "Refund", "ChargeTwice"} {
		d := iam.Evaluate(policies, iam.Request{
			Action:   "swf:ScheduleActivityTask",
			Resource: domain,
			Context:  map[string][]string{"swf:activityType.name": {name}},
		})
		fmt.Println(name, d)
	}
	// Output:
	// ChargeCard Allow
	// Refund ImplicitDeny
	// ChargeTwice ExplicitDeny
}

func ExampleParse() {
	_, err := iam.Parse([]byte(`{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Action": "swf:*", "Resource": "*"},
	  {"Effect": "Allow", "Action": "swf:*", "Resource": "*", "Condition": {"NumericFoo": {"swf:n": 1}}}
	]}`))
	fmt.Println(err)
	// Output:
	// Statement[1]: unsupported condition operator "NumericFoo"
}
