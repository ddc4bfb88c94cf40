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

func TestActivityTypeDefaultsAreKeptExactlyAsGiven(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	s.BareDomain("d")
	s.Clock.Advance(90 * time.Second)
	_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
		Domain:                            aws.String("d"),
		Name:                              aws.String("resize"),
		Version:                           aws.String("1.0"),
		Description:                       aws.String("resizes images"),
		DefaultTaskStartToCloseTimeout:    aws.String("300"),
		DefaultTaskHeartbeatTimeout:       aws.String("NONE"),
		DefaultTaskList:                   &types.TaskList{Name: aws.String("images")},
		DefaultTaskPriority:               aws.String("-7"),
		DefaultTaskScheduleToStartTimeout: aws.String("0"),
		DefaultTaskScheduleToCloseTimeout: aws.String("99999999"),
	})
	must(t, err)
	out, err := c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: swftest.ActivityType("resize", "1.0")})
	must(t, err)
	info, cfg := out.TypeInfo, out.Configuration
	if aws.ToString(info.ActivityType.Name) != "resize" || aws.ToString(info.ActivityType.Version) != "1.0" ||
		info.Status != types.RegistrationStatusRegistered || aws.ToString(info.Description) != "resizes images" ||
		!aws.ToTime(info.CreationDate).Equal(swftest.Epoch.Add(90*time.Second)) || info.DeprecationDate != nil {
		t.Errorf("TypeInfo = %+v", info)
	}
	if aws.ToString(cfg.DefaultTaskStartToCloseTimeout) != "300" || aws.ToString(cfg.DefaultTaskHeartbeatTimeout) != "NONE" ||
		aws.ToString(cfg.DefaultTaskList.Name) != "images" || aws.ToString(cfg.DefaultTaskPriority) != "-7" ||
		aws.ToString(cfg.DefaultTaskScheduleToStartTimeout) != "0" || aws.ToString(cfg.DefaultTaskScheduleToCloseTimeout) != "99999999" {
		t.Errorf("Configuration = %+v", cfg)
	}

	// Defaults not given are not made up.
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("bare"), Version: aws.String("1")})
	must(t, err)
	out, err = c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: swftest.ActivityType("bare", "1")})
	must(t, err)
	if cfg := out.Configuration; cfg.DefaultTaskList != nil || cfg.DefaultTaskPriority != nil || cfg.DefaultTaskHeartbeatTimeout != nil ||
		cfg.DefaultTaskStartToCloseTimeout != nil || cfg.DefaultTaskScheduleToStartTimeout != nil || cfg.DefaultTaskScheduleToCloseTimeout != nil {
		t.Errorf("defaults appeared that were never given: %+v", cfg)
	}
	if out.TypeInfo.Description != nil {
		t.Errorf("description appeared: %q", *out.TypeInfo.Description)
	}
}

func TestWorkflowTypeDefaultsAreKeptExactlyAsGiven(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	s.BareDomain("d")
	role := "arn:aws:iam::123456789012:role/swf-lambda"
	_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain:                              aws.String("d"),
		Name:                                aws.String("order"),
		Version:                             aws.String("2"),
		Description:                         aws.String("processes an order"),
		DefaultTaskStartToCloseTimeout:      aws.String("NONE"),
		DefaultExecutionStartToCloseTimeout: aws.String("31536000"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String("deciders")},
		DefaultTaskPriority:                 aws.String("2147483647"),
		DefaultChildPolicy:                  types.ChildPolicyRequestCancel,
		DefaultLambdaRole:                   aws.String(role),
	})
	must(t, err)
	out, err := c.DescribeWorkflowType(ctx, &swf.DescribeWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: swftest.WorkflowType("order", "2")})
	must(t, err)
	cfg := out.Configuration
	if aws.ToString(cfg.DefaultTaskStartToCloseTimeout) != "NONE" || aws.ToString(cfg.DefaultExecutionStartToCloseTimeout) != "31536000" ||
		aws.ToString(cfg.DefaultTaskList.Name) != "deciders" || aws.ToString(cfg.DefaultTaskPriority) != "2147483647" ||
		cfg.DefaultChildPolicy != types.ChildPolicyRequestCancel || aws.ToString(cfg.DefaultLambdaRole) != role {
		t.Errorf("Configuration = %+v", cfg)
	}
	if info := out.TypeInfo; aws.ToString(info.WorkflowType.Name) != "order" || aws.ToString(info.Description) != "processes an order" ||
		info.Status != types.RegistrationStatusRegistered || !aws.ToTime(info.CreationDate).Equal(swftest.Epoch) {
		t.Errorf("TypeInfo = %+v", info)
	}
}

func TestRegisterTypeRejectsBadInputAndChangesNothing(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	s.BareDomain("d")
	act := func(mod func(*swf.RegisterActivityTypeInput)) error {
		in := &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("a"), Version: aws.String("1")}
		mod(in)
		_, err := c.RegisterActivityType(ctx, in)
		return err
	}
	wf := func(mod func(*swf.RegisterWorkflowTypeInput)) error {
		in := &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("w"), Version: aws.String("1")}
		mod(in)
		_, err := c.RegisterWorkflowType(ctx, in)
		return err
	}
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.Name = aws.String("a:b") }), "name")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.Name = aws.String("arn") }), "name")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.Version = aws.String("1/2") }), "version")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.Version = aws.String(strings.Repeat("v", 65)) }), "version")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.Name = aws.String(strings.Repeat("n", 257)) }), "name")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.DefaultTaskHeartbeatTimeout = aws.String("1.5") }), "defaultTaskHeartbeatTimeout")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.DefaultTaskStartToCloseTimeout = aws.String("-1") }), "defaultTaskStartToCloseTimeout")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.DefaultTaskScheduleToStartTimeout = aws.String("none") }), "defaultTaskScheduleToStartTimeout")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) {
		in.DefaultTaskScheduleToCloseTimeout = aws.String("123456789")
	}), "defaultTaskScheduleToCloseTimeout")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.DefaultTaskPriority = aws.String("high") }), "defaultTaskPriority")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.DefaultTaskPriority = aws.String("2147483648") }), "defaultTaskPriority")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.DefaultTaskList = &types.TaskList{Name: aws.String("a|b")} }), "defaultTaskList.name")
	wantValidation(t, act(func(in *swf.RegisterActivityTypeInput) { in.Description = aws.String(strings.Repeat("d", 1025)) }), "description")
	wantValidation(t, wf(func(in *swf.RegisterWorkflowTypeInput) { in.DefaultExecutionStartToCloseTimeout = aws.String("NONE") }), "defaultExecutionStartToCloseTimeout")
	wantValidation(t, wf(func(in *swf.RegisterWorkflowTypeInput) {
		in.DefaultExecutionStartToCloseTimeout = aws.String("31536001")
	}), "defaultExecutionStartToCloseTimeout")
	wantValidation(t, wf(func(in *swf.RegisterWorkflowTypeInput) { in.DefaultChildPolicy = "KILL" }), "defaultChildPolicy")
	wantValidation(t, wf(func(in *swf.RegisterWorkflowTypeInput) { in.DefaultLambdaRole = aws.String(strings.Repeat("r", 1601)) }), "defaultLambdaRole")
	// The model's nested required members are checked by the server too.
	if status, code, msg := postJSON(t, s, "RegisterActivityType", `{"domain":"d","name":"a","version":"1","defaultTaskList":{}}`); status != 400 || code != "ValidationException" || !strings.Contains(msg, "Value null at 'defaultTaskList.name'") {
		t.Errorf("task list without a name: %d %s %s", status, code, msg)
	}

	for _, status := range []types.RegistrationStatus{types.RegistrationStatusRegistered, types.RegistrationStatusDeprecated} {
		a, err := c.ListActivityTypes(ctx, &swf.ListActivityTypesInput{Domain: aws.String("d"), RegistrationStatus: status})
		must(t, err)
		w, err := c.ListWorkflowTypes(ctx, &swf.ListWorkflowTypesInput{Domain: aws.String("d"), RegistrationStatus: status})
		must(t, err)
		if len(a.TypeInfos)+len(w.TypeInfos) != 0 {
			t.Fatalf("rejected registrations left types behind: %+v %+v", a.TypeInfos, w.TypeInfos)
		}
	}
}

func TestRegisterTypeFaults(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("nope"), Name: aws.String("a"), Version: aws.String("1")})
	wantFault[*types.UnknownResourceFault](t, err)
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("nope"), Name: aws.String("w"), Version: aws.String("1")})
	wantFault[*types.UnknownResourceFault](t, err)

	s.BareDomain("d")
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("a"), Version: aws.String("1"), DefaultTaskList: &types.TaskList{Name: aws.String("first")}})
	must(t, err)
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("a"), Version: aws.String("1"), DefaultTaskList: &types.TaskList{Name: aws.String("second")}})
	f := wantFault[*types.TypeAlreadyExistsFault](t, err)
	if !strings.Contains(f.ErrorMessage(), "ActivityType=[name=a, version=1]") {
		t.Errorf("message: %s", f.ErrorMessage())
	}
	out, err := c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: swftest.ActivityType("a", "1")})
	must(t, err)
	if aws.ToString(out.Configuration.DefaultTaskList.Name) != "first" {
		t.Errorf("the refused registration changed the type")
	}
	// Another version, and a workflow type of the same name and version, are
	// different types.
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("a"), Version: aws.String("2")})
	must(t, err)
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("a"), Version: aws.String("1")})
	must(t, err)
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("a"), Version: aws.String("1")})
	wantFault[*types.TypeAlreadyExistsFault](t, err)

	// A deprecated type keeps its name and version.
	_, err = c.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String("d"), ActivityType: swftest.ActivityType("a", "1")})
	must(t, err)
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("a"), Version: aws.String("1")})
	wantFault[*types.TypeAlreadyExistsFault](t, err)
}

func TestTypeLifecycle(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	s.BareDomain("d")
	d := aws.String("d")

	for _, kind := range []string{"activity", "workflow"} {
		t.Run(kind, func(t *testing.T) {
			register := func() error {
				if kind == "activity" {
					_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: d, Name: aws.String("t"), Version: aws.String("1")})
					return err
				}
				_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: d, Name: aws.String("t"), Version: aws.String("1")})
				return err
			}
			describe := func() (types.RegistrationStatus, *time.Time, error) {
				if kind == "activity" {
					out, err := c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: d, ActivityType: swftest.ActivityType("t", "1")})
					if err != nil {
						return "", nil, err
					}
					return out.TypeInfo.Status, out.TypeInfo.DeprecationDate, nil
				}
				out, err := c.DescribeWorkflowType(ctx, &swf.DescribeWorkflowTypeInput{Domain: d, WorkflowType: swftest.WorkflowType("t", "1")})
				if err != nil {
					return "", nil, err
				}
				return out.TypeInfo.Status, out.TypeInfo.DeprecationDate, nil
			}
			deprecate := func() error {
				if kind == "activity" {
					_, err := c.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: d, ActivityType: swftest.ActivityType("t", "1")})
					return err
				}
				_, err := c.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: d, WorkflowType: swftest.WorkflowType("t", "1")})
				return err
			}
			undeprecate := func() error {
				if kind == "activity" {
					_, err := c.UndeprecateActivityType(ctx, &swf.UndeprecateActivityTypeInput{Domain: d, ActivityType: swftest.ActivityType("t", "1")})
					return err
				}
				_, err := c.UndeprecateWorkflowType(ctx, &swf.UndeprecateWorkflowTypeInput{Domain: d, WorkflowType: swftest.WorkflowType("t", "1")})
				return err
			}
			del := func() error {
				if kind == "activity" {
					_, err := c.DeleteActivityType(ctx, &swf.DeleteActivityTypeInput{Domain: d, ActivityType: swftest.ActivityType("t", "1")})
					return err
				}
				_, err := c.DeleteWorkflowType(ctx, &swf.DeleteWorkflowTypeInput{Domain: d, WorkflowType: swftest.WorkflowType("t", "1")})
				return err
			}

			// Every operation on a type that does not exist.
			_, _, err := describe()
			wantFault[*types.UnknownResourceFault](t, err)
			wantFault[*types.UnknownResourceFault](t, deprecate())
			wantFault[*types.UnknownResourceFault](t, undeprecate())
			wantFault[*types.UnknownResourceFault](t, del())

			must(t, register())
			wantFault[*types.TypeAlreadyExistsFault](t, undeprecate())
			wantFault[*types.TypeNotDeprecatedFault](t, del())

			deprecatedAt := s.Clock.Now().Add(time.Minute)
			s.Clock.Set(deprecatedAt)
			must(t, deprecate())
			st, at, err := describe()
			must(t, err)
			if st != types.RegistrationStatusDeprecated || at == nil || !at.Equal(deprecatedAt) {
				t.Fatalf("after deprecation: %s, deprecated at %v (want %v)", st, at, deprecatedAt)
			}
			wantFault[*types.TypeDeprecatedFault](t, deprecate())

			must(t, undeprecate())
			st, at, err = describe()
			must(t, err)
			if st != types.RegistrationStatusRegistered || at != nil {
				t.Fatalf("after undeprecation: %s, deprecated at %v", st, at)
			}

			must(t, deprecate())
			must(t, del())
			_, _, err = describe()
			wantFault[*types.UnknownResourceFault](t, err)
			wantFault[*types.UnknownResourceFault](t, del())
			// The name and version are free again.
			must(t, register())
		})
	}

	// Operations on types of an unknown domain.
	_, err := c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("nope"), ActivityType: swftest.ActivityType("t", "1")})
	f := wantFault[*types.UnknownResourceFault](t, err)
	if !strings.Contains(f.ErrorMessage(), "nope") {
		t.Errorf("message does not name the domain: %s", f.ErrorMessage())
	}
	_, err = c.ListWorkflowTypes(ctx, &swf.ListWorkflowTypesInput{Domain: aws.String("nope"), RegistrationStatus: types.RegistrationStatusRegistered})
	wantFault[*types.UnknownResourceFault](t, err)
}

func typeNames(infos []types.ActivityTypeInfo) []string {
	var out []string
	for _, i := range infos {
		out = append(out, aws.ToString(i.ActivityType.Name)+"@"+aws.ToString(i.ActivityType.Version))
	}
	return out
}

func TestListTypesPagesAndFilters(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t)
	c := s.Client
	s.BareDomain("d")
	for _, nv := range [][2]string{{"b", "1"}, {"a", "2"}, {"c", "1"}, {"a", "1"}, {"b", "2"}, {"d", "1"}} {
		_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String(nv[0]), Version: aws.String(nv[1])})
		must(t, err)
	}
	_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("wf"), Version: aws.String("1")})
	must(t, err)
	_, err = c.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String("d"), ActivityType: swftest.ActivityType("d", "1")})
	must(t, err)

	list := func(in swf.ListActivityTypesInput) []string {
		t.Helper()
		in.Domain = aws.String("d")
		if in.RegistrationStatus == "" {
			in.RegistrationStatus = types.RegistrationStatusRegistered
		}
		var all []string
		p := swf.NewListActivityTypesPaginator(c, &in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			must(t, err)
			if in.MaximumPageSize > 0 && len(out.TypeInfos) > int(in.MaximumPageSize) {
				t.Fatalf("page of %d, asked for %d", len(out.TypeInfos), in.MaximumPageSize)
			}
			all = append(all, typeNames(out.TypeInfos)...)
		}
		return all
	}
	want := []string{"a@1", "a@2", "b@1", "b@2", "c@1"}
	if got := list(swf.ListActivityTypesInput{}); !slices.Equal(got, want) {
		t.Errorf("all: %v", got)
	}
	if got := list(swf.ListActivityTypesInput{MaximumPageSize: 2}); !slices.Equal(got, want) {
		t.Errorf("pages of 2: %v", got)
	}
	rev := slices.Clone(want)
	slices.Reverse(rev)
	if got := list(swf.ListActivityTypesInput{MaximumPageSize: 3, ReverseOrder: true}); !slices.Equal(got, rev) {
		t.Errorf("reverse pages of 3: %v", got)
	}
	if got := list(swf.ListActivityTypesInput{Name: aws.String("b"), MaximumPageSize: 1}); !slices.Equal(got, []string{"b@1", "b@2"}) {
		t.Errorf("name b: %v", got)
	}
	if got := list(swf.ListActivityTypesInput{Name: aws.String("zzz")}); len(got) != 0 {
		t.Errorf("unknown name: %v", got)
	}
	if got := list(swf.ListActivityTypesInput{RegistrationStatus: types.RegistrationStatusDeprecated}); !slices.Equal(got, []string{"d@1"}) {
		t.Errorf("deprecated: %v", got)
	}

	wfs, err := c.ListWorkflowTypes(ctx, &swf.ListWorkflowTypesInput{Domain: aws.String("d"), RegistrationStatus: types.RegistrationStatusRegistered})
	must(t, err)
	if len(wfs.TypeInfos) != 1 || aws.ToString(wfs.TypeInfos[0].WorkflowType.Name) != "wf" || wfs.NextPageToken != nil {
		t.Errorf("workflow types: %+v", wfs)
	}

	// A page token of one listing does not open another.
	first, err := c.ListActivityTypes(ctx, &swf.ListActivityTypesInput{Domain: aws.String("d"), RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: 1})
	must(t, err)
	_, err = c.ListActivityTypes(ctx, &swf.ListActivityTypesInput{Domain: aws.String("d"), RegistrationStatus: types.RegistrationStatusRegistered, Name: aws.String("a"), NextPageToken: first.NextPageToken})
	wantValidation(t, err, "nextPageToken")
	_, err = c.ListWorkflowTypes(ctx, &swf.ListWorkflowTypesInput{Domain: aws.String("d"), RegistrationStatus: types.RegistrationStatusRegistered, NextPageToken: first.NextPageToken})
	wantValidation(t, err, "nextPageToken")
}

func TestTypeLimit(t *testing.T) {
	t.Parallel()
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.Limits.TypesPerDomain = 3 }))
	c := s.Client
	s.BareDomain("d")
	s.BareDomain("other")
	for i := range 3 {
		_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("a"), Version: aws.String(fmt.Sprint(i))})
		must(t, err)
	}
	// Deprecated types count.
	_, err := c.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String("d"), ActivityType: swftest.ActivityType("a", "0")})
	must(t, err)
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("a"), Version: aws.String("3")})
	wantFault[*types.LimitExceededFault](t, err)
	// Workflow types and other domains have their own count.
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("w"), Version: aws.String("1")})
	must(t, err)
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("other"), Name: aws.String("a"), Version: aws.String("3")})
	must(t, err)
	// A deleted type frees its place.
	_, err = c.DeleteActivityType(ctx, &swf.DeleteActivityTypeInput{Domain: aws.String("d"), ActivityType: swftest.ActivityType("a", "0")})
	must(t, err)
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("a"), Version: aws.String("3")})
	must(t, err)
}
