package iam

import "testing"

// benchPolicy is a typical decider policy: the decision task API on one
// domain, some decisions constrained by condition keys, and a Deny.
const benchPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Decider",
      "Effect": "Allow",
      "Action": ["swf:PollForDecisionTask", "swf:RespondDecisionTaskCompleted"],
      "Resource": "arn:aws:swf:*:123456789012:/domain/orders",
      "Condition": {"StringEqualsIfExists": {"swf:taskList.name": ["deciders", "deciders-canary"]}}
    },
    {
      "Sid": "Schedule",
      "Effect": "Allow",
      "Action": "swf:ScheduleActivityTask",
      "Resource": "arn:aws:swf:*:123456789012:/domain/*",
      "Condition": {
        "StringLike": {"swf:activityType.name": "Charge*", "swf:taskList.name": "payments-*"},
        "StringEquals": {"swf:activityType.version": ["1", "2"]}
      }
    },
    {
      "Sid": "NoProdTags",
      "Effect": "Deny",
      "Action": "swf:Start*",
      "Resource": "*",
      "Condition": {"StringEquals": {"swf:tagList.member.0": "prod"}}
    }
  ]
}`

var benchRequest = Request{
	Action:   "swf:ScheduleActivityTask",
	Resource: "arn:aws:swf:us-east-1:123456789012:/domain/orders",
	Context: map[string][]string{
		"swf:activityType.name":    {"ChargeCard"},
		"swf:activityType.version": {"2"},
		"swf:taskList.name":        {"payments-eu"},
	},
}

func BenchmarkEvaluate(b *testing.B) {
	ps := []*Policy{MustParse(benchPolicy)}
	b.ReportAllocs()
	for b.Loop() {
		if Evaluate(ps, benchRequest) != Allow {
			b.Fatal("not allowed")
		}
	}
}

func BenchmarkEvaluateDenied(b *testing.B) {
	ps := []*Policy{MustParse(benchPolicy)}
	req := Request{
		Action:   "swf:StartWorkflowExecution",
		Resource: "arn:aws:swf:us-east-1:123456789012:/domain/orders",
		Context:  map[string][]string{"swf:tagList.member.0": {"prod"}, "swf:workflowType.name": {"Order"}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if Evaluate(ps, req) != ExplicitDeny {
			b.Fatal("not denied")
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse([]byte(benchPolicy)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEvaluateDoesNotAllocate holds Evaluate to the promise of the package
// documentation, including with case-insensitive key lookups, policy
// variables and absent keys.
func TestEvaluateDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	ps := []*Policy{MustParse(benchPolicy), MustParse(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"swf:*","Resource":"arn:aws:swf:*:*:/domain/${aws:username}-*",
		 "Condition":{"NumericLessThanIfExists":{"swf:n":10},"DateLessThanIfExists":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},
		              "ForAllValues:StringLike":{"SWF:TAGLIST.MEMBER.1":"a*"}}}]}`)}
	reqs := []Request{
		benchRequest,
		{Action: "swf:SignalWorkflowExecution", Resource: "arn:aws:swf:us-east-1:123456789012:/domain/alice-x",
			Context: map[string][]string{"aws:username": {"alice"}, "swf:n": {"3"}, "aws:CurrentTime": {"2026-01-01T00:00:00Z"}}},
		{Action: "swf:StartWorkflowExecution", Resource: "*", Context: map[string][]string{"swf:tagList.member.0": {"prod"}}},
	}
	for _, req := range reqs {
		if n := testing.AllocsPerRun(100, func() { Evaluate(ps, req) }); n != 0 {
			t.Errorf("Evaluate(%s) allocates %v times", req.Action, n)
		}
	}
}
