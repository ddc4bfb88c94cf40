package iam

import "testing"

const (
	acct    = "arn:aws:swf:us-east-1:123456789012"
	orders  = acct + ":/domain/orders"
	billing = acct + ":/domain/billing"
)

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{ImplicitDeny: "ImplicitDeny", Allow: "Allow", ExplicitDeny: "ExplicitDeny", 7: "Decision(7)"} {
		if got := d.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(d), got, want)
		}
	}
}

func TestEvaluateCombinesPolicies(t *testing.T) {
	allowAll := MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"swf:*","Resource":"*"}}`)
	denyTerminate := MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"swf:TerminateWorkflowExecution","Resource":"` + orders + `"}}`)
	allowOrders := MustParse(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"swf:*","Resource":"` + orders + `"},
		{"Effect":"Deny","Action":"swf:Deprecate*","Resource":"*"}]}`)

	terminate := func(res string) Request { return Request{Action: "swf:TerminateWorkflowExecution", Resource: res} }
	tests := []struct {
		name     string
		policies []*Policy
		req      Request
		want     Decision
	}{
		{"no policies", nil, terminate(orders), ImplicitDeny},
		{"only nil", []*Policy{nil}, terminate(orders), ImplicitDeny},
		{"zero policy", []*Policy{{}}, terminate(orders), ImplicitDeny},
		{"allow", []*Policy{allowAll}, terminate(orders), Allow},
		{"deny beats allow", []*Policy{allowAll, denyTerminate}, terminate(orders), ExplicitDeny},
		{"deny beats allow, other order", []*Policy{denyTerminate, allowAll}, terminate(orders), ExplicitDeny},
		{"deny only", []*Policy{denyTerminate}, terminate(orders), ExplicitDeny},
		{"deny elsewhere", []*Policy{allowAll, denyTerminate}, terminate(billing), Allow},
		{"deny other action", []*Policy{allowAll, denyTerminate}, Request{Action: "swf:SignalWorkflowExecution", Resource: orders}, Allow},
		{"not allowed on resource", []*Policy{allowOrders}, terminate(billing), ImplicitDeny},
		{"deny in same policy", []*Policy{allowOrders}, Request{Action: "swf:DeprecateDomain", Resource: orders}, ExplicitDeny},
		{"deny in same policy, nil around", []*Policy{nil, allowOrders, nil}, Request{Action: "swf:deprecateactivitytype", Resource: orders}, ExplicitDeny},
		{"other service", []*Policy{allowAll}, Request{Action: "s3:GetObject", Resource: "*"}, ImplicitDeny},
	}
	for _, tt := range tests {
		if got := Evaluate(tt.policies, tt.req); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNotActionNotResource(t *testing.T) {
	// Allow everything in swf except deleting-style actions, on every
	// domain but billing.
	p := MustParse(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","NotAction":["swf:Deprecate*","swf:Terminate*"],"Resource":"*"},
		{"Effect":"Deny","Action":"swf:*","NotResource":["` + orders + `","*"]},
		{"Effect":"Deny","Action":"swf:Start*","NotResource":"` + orders + `"}
	]}`)
	tests := []struct {
		action, resource string
		want             Decision
	}{
		{"swf:SignalWorkflowExecution", orders, Allow},
		{"swf:SignalWorkflowExecution", billing, Allow},
		{"swf:DeprecateDomain", orders, ImplicitDeny}, // excluded by NotAction
		{"swf:terminateworkflowexecution", orders, ImplicitDeny},
		{"s3:GetObject", "*", Allow}, // NotAction allows everything else, other services included
		{"swf:StartWorkflowExecution", orders, Allow},
		{"swf:StartWorkflowExecution", billing, ExplicitDeny}, // NotResource: every resource but orders
		{"swf:StartWorkflowExecution", "*", ExplicitDeny},
	}
	for _, tt := range tests {
		if got := Evaluate([]*Policy{p}, Request{Action: tt.action, Resource: tt.resource}); got != tt.want {
			t.Errorf("%s on %s: %v, want %v", tt.action, tt.resource, got, tt.want)
		}
	}
}

func TestNotResourceWithVariable(t *testing.T) {
	// Deny everything outside the caller's own domain; with no user name
	// the variable has no value, matches nothing, and NotResource matches
	// every resource: the deny applies.
	p := MustParse(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"swf:*","Resource":"*"},
		{"Effect":"Deny","Action":"swf:*","NotResource":"arn:aws:swf:*:*:/domain/${aws:username}"}]}`)
	alice := map[string][]string{"aws:username": {"alice"}}
	for _, tt := range []struct {
		domain string
		ctx    map[string][]string
		want   Decision
	}{
		{"alice", alice, Allow},
		{"bob", alice, ExplicitDeny},
		{"alice", nil, ExplicitDeny},
	} {
		req := Request{Action: "swf:PollForDecisionTask", Resource: acct + ":/domain/" + tt.domain, Context: tt.ctx}
		if got := Evaluate([]*Policy{p}, req); got != tt.want {
			t.Errorf("%s with %v: %v, want %v", tt.domain, tt.ctx, got, tt.want)
		}
	}
}

func TestEvaluateConcurrent(t *testing.T) {
	p := MustParse(benchPolicy)
	done := make(chan Decision)
	for i := 0; i < 8; i++ {
		go func() {
			d := Allow
			for j := 0; j < 200; j++ {
				if got := Evaluate([]*Policy{p}, benchRequest); got != Allow {
					d = got
				}
			}
			done <- d
		}()
	}
	for i := 0; i < 8; i++ {
		if d := <-done; d != Allow {
			t.Errorf("concurrent Evaluate: %v", d)
		}
	}
}

func TestUsesKey(t *testing.T) {
	p := MustParse(`{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Action": "swf:*", "Resource": "*"},
	  {"Effect": "Deny", "Action": "swf:*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "ops"}}}]}`)
	if !p.UsesKey("aws:resourcetag/") || !p.UsesKey("aws:ResourceTag/team") {
		t.Error("the policy tests aws:ResourceTag/team")
	}
	if p.UsesKey("swf:") || MustParse(`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`).UsesKey("aws:") {
		t.Error("UsesKey found a key no condition tests")
	}
}
