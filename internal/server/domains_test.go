package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

func TestRegisterAndDescribeDomain(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	for _, retention := range []string{"NONE", "0", "1", "90"} {
		name := "dom-" + retention
		_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{
			Name:                                   aws.String(name),
			Description:                            aws.String("about " + name),
			WorkflowExecutionRetentionPeriodInDays: aws.String(retention),
		})
		must(t, err)
		out := s.DescribeDomain(name)
		info := out.DomainInfo
		if aws.ToString(info.Name) != name || info.Status != types.RegistrationStatusRegistered ||
			aws.ToString(info.Description) != "about "+name ||
			aws.ToString(info.Arn) != "arn:aws:swf:us-east-1:123456789012:/domain/"+name {
			t.Errorf("DescribeDomain(%s).DomainInfo = %+v", name, info)
		}
		if got := aws.ToString(out.Configuration.WorkflowExecutionRetentionPeriodInDays); got != retention {
			t.Errorf("retention = %q, want %q", got, retention)
		}
	}

	// A domain registered without a description has none.
	s.BareDomain("bare")
	if desc := s.DescribeDomain("bare").DomainInfo.Description; desc != nil {
		t.Errorf("description of a domain registered without one = %q", *desc)
	}
}

func TestDomainARNUsesConfiguredRegionAndAccount(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) {
		c.Region, c.AccountID = "eu-west-3", "000000000042"
	}))
	s.BareDomain("d")
	if arn := aws.ToString(s.DescribeDomain("d").DomainInfo.Arn); arn != "arn:aws:swf:eu-west-3:000000000042:/domain/d" {
		t.Fatalf("arn = %s", arn)
	}
}

func TestRegisterDomainRejectsBadInputAndChangesNothing(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	cases := []struct {
		name, retention string
		field           string
	}{
		{"has:colon", "1", "name"},
		{"has/slash", "1", "name"},
		{"has|bar", "1", "name"},
		{"has\x01control", "1", "name"},
		{"has\u0085c1-control", "1", "name"},
		{"arn", "1", "name"},
		{" leading-space", "1", "name"},
		{"trailing-space ", "1", "name"},
		{strings.Repeat("n", 257), "1", "name"},
		{"ok-name", "91", "workflowExecutionRetentionPeriodInDays"},
		{"ok-name", "-1", "workflowExecutionRetentionPeriodInDays"},
		{"ok-name", "ten", "workflowExecutionRetentionPeriodInDays"},
		{"ok-name", "", "workflowExecutionRetentionPeriodInDays"},
		{"ok-name", "123456789", "workflowExecutionRetentionPeriodInDays"},
	}
	for _, tc := range cases {
		_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(tc.name), WorkflowExecutionRetentionPeriodInDays: aws.String(tc.retention)})
		wantValidation(t, err, tc.field)
	}
	// The SDK checks required members itself; a raw request shows the server
	// does too.
	status, code, msg := postJSON(t, s, "RegisterDomain", `{"name":"no-retention"}`)
	if status != 400 || code != "ValidationException" || !strings.Contains(msg, "Value null at 'workflowExecutionRetentionPeriodInDays' failed to satisfy constraint: Member must not be null") {
		t.Errorf("missing retention: %d %s %s", status, code, msg)
	}
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("long-description"), WorkflowExecutionRetentionPeriodInDays: aws.String("1"), Description: aws.String(strings.Repeat("d", 1025))})
	wantValidation(t, err, "description")

	// Two problems are both reported.
	_, err = c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("a:b"), WorkflowExecutionRetentionPeriodInDays: aws.String("x")})
	wantValidation(t, err, "name", "workflowExecutionRetentionPeriodInDays")

	for _, status := range []types.RegistrationStatus{types.RegistrationStatusRegistered, types.RegistrationStatusDeprecated} {
		out, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: status})
		must(t, err)
		if len(out.DomainInfos) != 0 {
			t.Fatalf("rejected registrations left domains behind: %v", namesOf(out.DomainInfos))
		}
	}
}

func TestDomainNamesMayUseWhatSWFAllows(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	for _, name := range []string{"ARN", "arns", "my domain", "dömäin-ünicode_1.2", strings.Repeat("n", 256), "x"} {
		s.BareDomain(name)
		s.DescribeDomain(name)
	}
}

func TestRegisterDomainTwiceFails(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	s.BareDomain("d")
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("d"), WorkflowExecutionRetentionPeriodInDays: aws.String("5")})
	wantFault[*types.DomainAlreadyExistsFault](t, err)
	if got := aws.ToString(s.DescribeDomain("d").Configuration.WorkflowExecutionRetentionPeriodInDays); got != "1" {
		t.Fatalf("the failed registration changed the retention to %s", got)
	}

	// A deprecated domain keeps its name.
	_, err = c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("d")})
	must(t, err)
	_, err = c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("d"), WorkflowExecutionRetentionPeriodInDays: aws.String("5")})
	wantFault[*types.DomainAlreadyExistsFault](t, err)
}

func TestDomainLimit(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	// Amazon SWF allows 100 domains per account, deprecated ones included.
	for i := range 100 {
		s.BareDomain(fmt.Sprintf("d%03d", i))
	}
	_, err := c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("d000")})
	must(t, err)
	_, err = c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("one-too-many"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	wantFault[*types.LimitExceededFault](t, err)
	_, err = c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("one-too-many")})
	wantFault[*types.UnknownResourceFault](t, err)
}

func TestDomainLimitIsASetting(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.Limits.Domains = 2 }))
	s.BareDomain("a")
	s.BareDomain("b")
	_, err := s.Client.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("c"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	wantFault[*types.LimitExceededFault](t, err)
}

func TestUnknownDomain(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	_, err := c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("nope")})
	f := wantFault[*types.UnknownResourceFault](t, err)
	if !strings.Contains(f.ErrorMessage(), "nope") {
		t.Errorf("message does not name the domain: %q", f.ErrorMessage())
	}
	_, err = c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("nope")})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = c.UndeprecateDomain(ctx, &swf.UndeprecateDomainInput{Name: aws.String("nope")})
	wantFault[*types.UnknownResourceFault](t, err)
}

func TestDeprecateAndUndeprecateDomain(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	s.BareDomain("d")
	s.BareDomain("other")
	_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("act"), Version: aws.String("1")})
	must(t, err)
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("wf"), Version: aws.String("1")})
	must(t, err)
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("other"), Name: aws.String("act"), Version: aws.String("1")})
	must(t, err)

	s.Clock.Advance(time.Hour)
	_, err = c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("d")})
	must(t, err)
	if st := s.DescribeDomain("d").DomainInfo.Status; st != types.RegistrationStatusDeprecated {
		t.Fatalf("status after DeprecateDomain = %s", st)
	}
	_, err = c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("d")})
	wantFault[*types.DomainDeprecatedFault](t, err)

	// Its types are deprecated with it, those of other domains are not.
	at, err := c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: &types.ActivityType{Name: aws.String("act"), Version: aws.String("1")}})
	must(t, err)
	if at.TypeInfo.Status != types.RegistrationStatusDeprecated || !aws.ToTime(at.TypeInfo.DeprecationDate).Equal(swftest.Epoch.Add(time.Hour)) {
		t.Errorf("activity type after DeprecateDomain: %s deprecated %v", at.TypeInfo.Status, at.TypeInfo.DeprecationDate)
	}
	wt, err := c.DescribeWorkflowType(ctx, &swf.DescribeWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: &types.WorkflowType{Name: aws.String("wf"), Version: aws.String("1")}})
	must(t, err)
	if wt.TypeInfo.Status != types.RegistrationStatusDeprecated {
		t.Errorf("workflow type after DeprecateDomain: %s", wt.TypeInfo.Status)
	}
	ot, err := c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("other"), ActivityType: &types.ActivityType{Name: aws.String("act"), Version: aws.String("1")}})
	must(t, err)
	if ot.TypeInfo.Status != types.RegistrationStatusRegistered {
		t.Errorf("a type of another domain was deprecated")
	}

	// Nothing new can be registered in a deprecated domain.
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("act2"), Version: aws.String("1")})
	wantFault[*types.UnknownResourceFault](t, err)

	reg, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered})
	must(t, err)
	dep, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusDeprecated})
	must(t, err)
	if !slices.Equal(namesOf(reg.DomainInfos), []string{"other"}) || !slices.Equal(namesOf(dep.DomainInfos), []string{"d"}) {
		t.Fatalf("registered %v, deprecated %v", namesOf(reg.DomainInfos), namesOf(dep.DomainInfos))
	}

	_, err = c.UndeprecateDomain(ctx, &swf.UndeprecateDomainInput{Name: aws.String("d")})
	must(t, err)
	if st := s.DescribeDomain("d").DomainInfo.Status; st != types.RegistrationStatusRegistered {
		t.Fatalf("status after UndeprecateDomain = %s", st)
	}
	_, err = c.UndeprecateDomain(ctx, &swf.UndeprecateDomainInput{Name: aws.String("d")})
	wantFault[*types.DomainAlreadyExistsFault](t, err)
	// The types stay deprecated until undeprecated one by one.
	at, err = c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: &types.ActivityType{Name: aws.String("act"), Version: aws.String("1")}})
	must(t, err)
	if at.TypeInfo.Status != types.RegistrationStatusDeprecated {
		t.Errorf("UndeprecateDomain undeprecated its types")
	}
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("act2"), Version: aws.String("1")})
	must(t, err)
}

func TestListDomainsPages(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	var all []string
	for _, n := range []string{"g", "c", "a", "f", "b", "e", "d"} {
		s.BareDomain(n)
	}
	all = []string{"a", "b", "c", "d", "e", "f", "g"}

	collect := func(reverse bool, size int32) ([]string, int) {
		var names []string
		pages := 0
		var token *string
		for {
			out, err := c.ListDomains(ctx, &swf.ListDomainsInput{
				RegistrationStatus: types.RegistrationStatusRegistered,
				MaximumPageSize:    size, ReverseOrder: reverse, NextPageToken: token,
			})
			must(t, err)
			pages++
			if size > 0 && len(out.DomainInfos) > int(size) {
				t.Fatalf("page of %d domains, asked for at most %d", len(out.DomainInfos), size)
			}
			names = append(names, namesOf(out.DomainInfos)...)
			if out.NextPageToken == nil {
				return names, pages
			}
			token = out.NextPageToken
		}
	}
	if got, pages := collect(false, 3); !slices.Equal(got, all) || pages != 3 {
		t.Errorf("pages of 3: %v in %d pages", got, pages)
	}
	rev := slices.Clone(all)
	slices.Reverse(rev)
	if got, _ := collect(true, 2); !slices.Equal(got, rev) {
		t.Errorf("reverse pages of 2: %v", got)
	}
	if got, pages := collect(false, 0); !slices.Equal(got, all) || pages != 1 {
		t.Errorf("page size 0 (the maximum): %v in %d pages", got, pages)
	}
	if got, pages := collect(false, 7); !slices.Equal(got, all) || pages != 1 {
		t.Errorf("exactly one full page: %v in %d pages", got, pages)
	}

	// The SDK's paginator walks the same pages.
	p := swf.NewListDomainsPaginator(c, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: 2})
	var viaPaginator []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		must(t, err)
		viaPaginator = append(viaPaginator, namesOf(out.DomainInfos)...)
	}
	if !slices.Equal(viaPaginator, all) {
		t.Errorf("paginator: %v", viaPaginator)
	}

	first, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: 2})
	must(t, err)
	// A token is bound to the arguments it was issued for.
	_, err = c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusDeprecated, MaximumPageSize: 2, NextPageToken: first.NextPageToken})
	wantValidation(t, err, "nextPageToken")
	_, err = c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, ReverseOrder: true, NextPageToken: first.NextPageToken})
	wantValidation(t, err, "nextPageToken")
	_, err = c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, NextPageToken: aws.String("forged")})
	wantValidation(t, err, "nextPageToken")
	// The page size may change between pages.
	next, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: 10, NextPageToken: first.NextPageToken})
	must(t, err)
	if got := namesOf(next.DomainInfos); !slices.Equal(got, all[2:]) {
		t.Errorf("second page with a larger size: %v", got)
	}
	// Tokens expire after 24 hours.
	s.Clock.Advance(24*time.Hour + time.Second)
	_, err = c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, NextPageToken: first.NextPageToken})
	if msg := wantCode(t, err, "ValidationException"); !strings.Contains(msg, "Specified token has exceeded its maximum lifetime") {
		t.Errorf("expired token message: %s", msg)
	}

	_, err = c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: 1001})
	wantValidation(t, err, "maximumPageSize")
	_, err = c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: -1})
	wantValidation(t, err, "maximumPageSize")
	if status, code, msg := postJSON(t, s, "ListDomains", `{}`); status != 400 || code != "ValidationException" || !strings.Contains(msg, "'registrationStatus'") {
		t.Errorf("ListDomains without registrationStatus: %d %s %s", status, code, msg)
	}
}

func TestListDomainsPagesOfAThousand(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.Limits.Domains = 1100 }))
	for i := range 1001 {
		s.BareDomain(fmt.Sprintf("d%04d", i))
	}
	out, err := s.Client.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered})
	must(t, err)
	if len(out.DomainInfos) != 1000 || out.NextPageToken == nil {
		t.Fatalf("default page: %d domains, token %v; want 1000 and a token", len(out.DomainInfos), out.NextPageToken)
	}
	out, err = s.Client.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, NextPageToken: out.NextPageToken})
	must(t, err)
	if got := namesOf(out.DomainInfos); !slices.Equal(got, []string{"d1000"}) || out.NextPageToken != nil {
		t.Fatalf("second page: %v, token %v", got, out.NextPageToken)
	}
}

// namesOf lists the names of domains, in order.
func namesOf(infos []types.DomainInfo) []string {
	var out []string
	for _, info := range infos {
		out = append(out, aws.ToString(info.Name))
	}
	return out
}
