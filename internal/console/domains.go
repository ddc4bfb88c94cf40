package console

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// domainsPage is what the list of domains shows.
type domainsPage struct {
	Chrome
	Title   string
	Crumbs  []link
	Domains []domainRow
}

// domainRow is a domain as the console shows it.
type domainRow struct {
	Name, URL, Status, StatusClass, Description, Retention, ARN string
	// Open is how many open executions the domain has, when the user may
	// count them.
	Open string
}

// domains serves the list of domains, registered and deprecated.
func (h *handler) domains(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var infos []swfapi.DomainInfo
	for _, status := range swfapi.RegistrationStatusValues {
		in := &swfapi.ListDomainsInput{RegistrationStatus: status.Ptr(), MaximumPageSize: swfapi.Ptr(int32(1000))}
		for {
			out, err := call(ctx, in, h.svc.ListDomains)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			infos = append(infos, out.DomainInfos...)
			if swfapi.Deref(out.NextPageToken) == "" {
				break
			}
			in.NextPageToken = out.NextPageToken
		}
	}
	slices.SortFunc(infos, func(a, b swfapi.DomainInfo) int { return cmp.Compare(swfapi.Deref(a.Name), swfapi.Deref(b.Name)) })
	p := &domainsPage{Title: "Domains", Domains: make([]domainRow, 0, len(infos))}
	for _, info := range infos {
		d, err := call(ctx, &swfapi.DescribeDomainInput{Name: info.Name}, h.svc.DescribeDomain)
		var apiErr *swfapi.Error
		if errors.As(err, &apiErr) && apiErr.Code == swfapi.CodeOperationNotPermittedFault {
			// The user may list the domain but not describe it: show
			// what the list says.
			d, err = &swfapi.DomainDetail{DomainInfo: &info}, nil
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		row := domainRowOf(d)
		n, err := call(ctx, &swfapi.CountOpenWorkflowExecutionsInput{Domain: info.Name,
			StartTimeFilter: &swfapi.ExecutionTimeFilter{OldestDate: swfapi.At(time.Unix(0, 0))}}, h.svc.CountOpenWorkflowExecutions)
		if err == nil {
			row.Open = countText(n)
		} else if statusOf(err) != http.StatusForbidden {
			h.fail(w, r, err)
			return
		}
		p.Domains = append(p.Domains, row)
	}
	h.render(w, r, http.StatusOK, "domains", p)
}

// domainRowOf shows a domain's detail.
func domainRowOf(d *swfapi.DomainDetail) domainRow {
	info := swfapi.Deref(d.DomainInfo)
	name := swfapi.Deref(info.Name)
	status := string(swfapi.Deref(info.Status))
	row := domainRow{Name: name, URL: domainURL(name), Status: status, StatusClass: statusClass(status),
		Description: swfapi.Deref(info.Description), ARN: swfapi.Deref(info.Arn)}
	if d.Configuration != nil {
		row.Retention = swfapi.Deref(d.Configuration.WorkflowExecutionRetentionPeriodInDays)
	}
	return row
}

// typeRow is a workflow or activity type as the console shows it.
type typeRow struct {
	Name, Version, Status, StatusClass, Description, Created, Deprecated string
	// Defaults are the type's defaults, those it has.
	Defaults []field
}

// field is a named value.
type field struct {
	Name, Value string
}

// fields keeps the pairs (name, value) whose value is not empty.
func fields(pairs ...string) []field {
	var out []field
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			out = append(out, field{pairs[i], pairs[i+1]})
		}
	}
	return out
}

func taskListName(tl *swfapi.TaskList) string {
	if tl == nil {
		return ""
	}
	return swfapi.Deref(tl.Name)
}

// workflowTypes lists a domain's workflow types, registered and
// deprecated, each with its defaults.
func (h *handler) workflowTypes(ctx context.Context, domain string) ([]typeRow, error) {
	var rows []typeRow
	for _, status := range swfapi.RegistrationStatusValues {
		in := &swfapi.ListWorkflowTypesInput{Domain: &domain, RegistrationStatus: status.Ptr(), MaximumPageSize: swfapi.Ptr(int32(1000))}
		for {
			out, err := call(ctx, in, h.svc.ListWorkflowTypes)
			if err != nil {
				return nil, err
			}
			for _, info := range out.TypeInfos {
				d, err := call(ctx, &swfapi.DescribeWorkflowTypeInput{Domain: &domain, WorkflowType: info.WorkflowType}, h.svc.DescribeWorkflowType)
				if err != nil {
					return nil, err
				}
				c := swfapi.Deref(d.Configuration)
				row := typeRowOf(swfapi.Deref(info.WorkflowType.Name), swfapi.Deref(info.WorkflowType.Version), info.Status, info.Description, info.CreationDate, info.DeprecationDate)
				row.Defaults = fields(
					"task list", taskListName(c.DefaultTaskList),
					"task priority", swfapi.Deref(c.DefaultTaskPriority),
					"execution start-to-close", seconds(c.DefaultExecutionStartToCloseTimeout),
					"task start-to-close", seconds(c.DefaultTaskStartToCloseTimeout),
					"child policy", string(swfapi.Deref(c.DefaultChildPolicy)),
					"Lambda role", swfapi.Deref(c.DefaultLambdaRole),
				)
				rows = append(rows, row)
			}
			if swfapi.Deref(out.NextPageToken) == "" {
				break
			}
			in.NextPageToken = out.NextPageToken
		}
	}
	sortTypes(rows)
	return rows, nil
}

// activityTypes lists a domain's activity types, registered and
// deprecated, each with its defaults.
func (h *handler) activityTypes(ctx context.Context, domain string) ([]typeRow, error) {
	var rows []typeRow
	for _, status := range swfapi.RegistrationStatusValues {
		in := &swfapi.ListActivityTypesInput{Domain: &domain, RegistrationStatus: status.Ptr(), MaximumPageSize: swfapi.Ptr(int32(1000))}
		for {
			out, err := call(ctx, in, h.svc.ListActivityTypes)
			if err != nil {
				return nil, err
			}
			for _, info := range out.TypeInfos {
				d, err := call(ctx, &swfapi.DescribeActivityTypeInput{Domain: &domain, ActivityType: info.ActivityType}, h.svc.DescribeActivityType)
				if err != nil {
					return nil, err
				}
				c := swfapi.Deref(d.Configuration)
				row := typeRowOf(swfapi.Deref(info.ActivityType.Name), swfapi.Deref(info.ActivityType.Version), info.Status, info.Description, info.CreationDate, info.DeprecationDate)
				row.Defaults = fields(
					"task list", taskListName(c.DefaultTaskList),
					"task priority", swfapi.Deref(c.DefaultTaskPriority),
					"schedule-to-start", seconds(c.DefaultTaskScheduleToStartTimeout),
					"schedule-to-close", seconds(c.DefaultTaskScheduleToCloseTimeout),
					"start-to-close", seconds(c.DefaultTaskStartToCloseTimeout),
					"heartbeat", seconds(c.DefaultTaskHeartbeatTimeout),
				)
				rows = append(rows, row)
			}
			if swfapi.Deref(out.NextPageToken) == "" {
				break
			}
			in.NextPageToken = out.NextPageToken
		}
	}
	sortTypes(rows)
	return rows, nil
}

func typeRowOf(name, version string, status *swfapi.RegistrationStatus, description *string, created, deprecated *swfapi.Timestamp) typeRow {
	st := string(swfapi.Deref(status))
	return typeRow{Name: name, Version: version, Status: st, StatusClass: statusClass(st), Description: swfapi.Deref(description),
		Created: formatTime(created), Deprecated: formatTime(deprecated)}
}

func sortTypes(rows []typeRow) {
	slices.SortFunc(rows, func(a, b typeRow) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
	})
}

// seconds shows an SWF duration: a number of seconds, or NONE.
func seconds(s *string) string {
	switch v := swfapi.Deref(s); v {
	case "", "NONE":
		return v
	default:
		return v + " s"
	}
}
