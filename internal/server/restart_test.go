package server_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swftest"
)

// Everything acknowledged survives a restart of the server on the same
// database file, page tokens included.
func TestDataSurvivesRestart(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{
		Name: aws.String("kept"), Description: aws.String("kept across restarts"),
		WorkflowExecutionRetentionPeriodInDays: aws.String("NONE"),
		Tags:                                   []types.ResourceTag{tag("k", "v")},
	})
	must(t, err)
	registerDomain(t, c, "old")
	registerDomain(t, c, "zzz")
	_, err = c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("old")})
	must(t, err)
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("kept"), Name: aws.String("a"), Version: aws.String("1"), DefaultTaskList: &types.TaskList{Name: aws.String("tl")}, DefaultTaskHeartbeatTimeout: aws.String("NONE")})
	must(t, err)
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("kept"), Name: aws.String("w"), Version: aws.String("1"), DefaultChildPolicy: types.ChildPolicyAbandon})
	must(t, err)
	s.Clock.Advance(time.Minute)
	_, err = c.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: aws.String("kept"), WorkflowType: swftest.WorkflowType("w", "1")})
	must(t, err)
	page, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: 1})
	must(t, err)

	s.Restart()
	c = s.Client

	d := describeDomain(t, c, "kept")
	if aws.ToString(d.DomainInfo.Description) != "kept across restarts" || aws.ToString(d.Configuration.WorkflowExecutionRetentionPeriodInDays) != "NONE" {
		t.Errorf("domain after restart: %+v %+v", d.DomainInfo, d.Configuration)
	}
	if got := tagsOf(t, c, aws.ToString(d.DomainInfo.Arn)); !slices.Equal(got, []string{"k=v"}) {
		t.Errorf("tags after restart: %v", got)
	}
	if st := describeDomain(t, c, "old").DomainInfo.Status; st != types.RegistrationStatusDeprecated {
		t.Errorf("deprecated domain is %s after restart", st)
	}
	at, err := c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("kept"), ActivityType: swftest.ActivityType("a", "1")})
	must(t, err)
	if aws.ToString(at.Configuration.DefaultTaskList.Name) != "tl" || aws.ToString(at.Configuration.DefaultTaskHeartbeatTimeout) != "NONE" || !aws.ToTime(at.TypeInfo.CreationDate).Equal(swftest.Epoch) {
		t.Errorf("activity type after restart: %+v %+v", at.TypeInfo, at.Configuration)
	}
	wt, err := c.DescribeWorkflowType(ctx, &swf.DescribeWorkflowTypeInput{Domain: aws.String("kept"), WorkflowType: swftest.WorkflowType("w", "1")})
	must(t, err)
	if wt.TypeInfo.Status != types.RegistrationStatusDeprecated || !aws.ToTime(wt.TypeInfo.DeprecationDate).Equal(swftest.Epoch.Add(time.Minute)) || wt.Configuration.DefaultChildPolicy != types.ChildPolicyAbandon {
		t.Errorf("workflow type after restart: %+v %+v", wt.TypeInfo, wt.Configuration)
	}

	// A page token issued before the restart still opens.
	next, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, NextPageToken: page.NextPageToken})
	must(t, err)
	if got := domainNames(next.DomainInfos); !slices.Equal(got, []string{"zzz"}) {
		t.Errorf("second page after restart: %v", got)
	}
}
