package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/swftest"
)

// tag is a resource tag.
func tag(k, v string) types.ResourceTag {
	return types.ResourceTag{Key: aws.String(k), Value: aws.String(v)}
}

// tagsOf lists a resource's tags as key=value, in the order the server
// gives them.
func tagsOf(t *testing.T, c *swf.Client, arn string) []string {
	t.Helper()
	out, err := c.ListTagsForResource(ctx, &swf.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	must(t, err)
	var s []string
	for _, tg := range out.Tags {
		s = append(s, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	return s
}

// manyTags is n distinct tags, k00=v, k01=v, …
func manyTags(n int) []types.ResourceTag {
	var out []types.ResourceTag
	for i := range n {
		out = append(out, tag(fmt.Sprintf("k%02d", i), "v"))
	}
	return out
}

func TestDomainTags(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{
		Name: aws.String("d"), WorkflowExecutionRetentionPeriodInDays: aws.String("1"),
		Tags: []types.ResourceTag{tag("team", "payments"), tag("env", "prod"), {Key: aws.String("novalue")}},
	})
	must(t, err)
	arn := aws.ToString(describeDomain(t, c, "d").DomainInfo.Arn)
	if got := tagsOf(t, c, arn); !slices.Equal(got, []string{"env=prod", "novalue=", "team=payments"}) {
		t.Fatalf("tags after RegisterDomain: %v", got)
	}

	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.ResourceTag{tag("env", "staging"), tag("cost-center", "42"), tag("unicode ü", "a_.:/=+-@ b")}})
	must(t, err)
	if got := tagsOf(t, c, arn); !slices.Equal(got, []string{"cost-center=42", "env=staging", "novalue=", "team=payments", "unicode ü=a_.:/=+-@ b"}) {
		t.Fatalf("tags after TagResource: %v", got)
	}

	_, err = c.UntagResource(ctx, &swf.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team", "never-there"}})
	must(t, err)
	if got := tagsOf(t, c, arn); !slices.Equal(got, []string{"cost-center=42", "env=staging", "novalue=", "unicode ü=a_.:/=+-@ b"}) {
		t.Fatalf("tags after UntagResource: %v", got)
	}

	// A domain without tags lists none (an empty list, not a missing one).
	registerDomain(t, c, "plain")
	status, _, body := s.Post("SimpleWorkflowService.ListTagsForResource", "application/x-amz-json-1.0", `{"resourceArn":"arn:aws:swf:us-east-1:123456789012:/domain/plain"}`)
	if status != 200 || string(body) != `{"tags":[]}` {
		t.Fatalf("ListTagsForResource of an untagged domain: %d %s", status, body)
	}
	// A deprecated domain can still be tagged.
	_, err = c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("plain")})
	must(t, err)
	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String("arn:aws:swf:us-east-1:123456789012:/domain/plain"), Tags: []types.ResourceTag{tag("a", "b")}})
	must(t, err)
}

func TestTooManyTags(t *testing.T) {
	t.Parallel()
	c := swftest.Start(t).Client
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("d"), WorkflowExecutionRetentionPeriodInDays: aws.String("1"), Tags: manyTags(51)})
	wantFault[*types.TooManyTagsFault](t, err)
	_, err = c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("d")})
	wantFault[*types.UnknownResourceFault](t, err)

	// 50 is allowed, counting a key given twice once.
	_, err = c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("d"), WorkflowExecutionRetentionPeriodInDays: aws.String("1"), Tags: append(manyTags(50), tag("k00", "again"))})
	must(t, err)
	arn := aws.ToString(describeDomain(t, c, "d").DomainInfo.Arn)
	if got := tagsOf(t, c, arn); len(got) != 50 || got[0] != "k00=again" {
		t.Fatalf("%d tags, first %v", len(got), got[0])
	}
	// Replacing a value is not a new tag; a new key is one too many.
	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.ResourceTag{tag("k01", "new")}})
	must(t, err)
	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.ResourceTag{tag("k02", "lost"), tag("k50", "x")}})
	wantFault[*types.TooManyTagsFault](t, err)
	if got := tagsOf(t, c, arn); len(got) != 50 || got[1] != "k01=new" || got[2] != "k02=v" {
		t.Fatalf("the refused TagResource changed tags: %v", got[:3])
	}
}

func TestTagResourceFaults(t *testing.T) {
	t.Parallel()
	c := swftest.Start(t).Client
	registerDomain(t, c, "d")
	for _, arn := range []string{
		"arn:aws:swf:us-east-1:123456789012:/domain/nope",
		"arn:aws:swf:eu-west-1:123456789012:/domain/d",
		"arn:aws:swf:us-east-1:999999999999:/domain/d",
		"arn:aws:swf:us-east-1:123456789012:domain/d",
		"arn:aws:swf:us-east-1:123456789012:/domain/",
		"d",
	} {
		_, err := c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.ResourceTag{tag("a", "b")}})
		wantFault[*types.UnknownResourceFault](t, err)
		_, err = c.UntagResource(ctx, &swf.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a"}})
		wantFault[*types.UnknownResourceFault](t, err)
		_, err = c.ListTagsForResource(ctx, &swf.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		wantFault[*types.UnknownResourceFault](t, err)
	}

	arn := aws.String("arn:aws:swf:us-east-1:123456789012:/domain/d")
	_, err := c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: arn, Tags: []types.ResourceTag{tag("bad#key", "v")}})
	wantValidation(t, err, "tags.1.member.key")
	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: arn, Tags: []types.ResourceTag{tag("ok", "v"), tag("k", "bad*value")}})
	wantValidation(t, err, "tags.2.member.value")
	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: arn, Tags: []types.ResourceTag{tag(strings.Repeat("k", 129), "v")}})
	wantValidation(t, err, "tags.1.member.key")
	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: arn, Tags: []types.ResourceTag{tag("k", strings.Repeat("v", 257))}})
	wantValidation(t, err, "tags.1.member.value")
	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: arn, Tags: []types.ResourceTag{tag("", "v")}})
	wantValidation(t, err, "tags.1.member.key")
	_, err = c.UntagResource(ctx, &swf.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"ok", "bad#key"}})
	wantValidation(t, err, "tagKeys.2.member")
	_, err = c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("d2"), WorkflowExecutionRetentionPeriodInDays: aws.String("1"), Tags: []types.ResourceTag{tag("a!", "b")}})
	wantValidation(t, err, "tags.1.member.key")
	_, err = c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("d2")})
	wantFault[*types.UnknownResourceFault](t, err)
	if got := tagsOf(t, c, *arn); len(got) != 0 {
		t.Fatalf("refused calls left tags: %v", got)
	}
}
