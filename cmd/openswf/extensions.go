package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/openswf/openswf/internal/client"
	"github.com/openswf/openswf/internal/engine"
)

// The commands below are openswf's extensions beyond the SWF API. Each
// talks to a server at --endpoint, signing its requests with the standard
// AWS credential chain.

const extensionsUsage = `Extensions beyond Amazon SWF (they talk to a server at --endpoint):
  openswf history export --domain D --workflow-id W [--run-id R]
                          print a run's history as 'aws swf get-workflow-execution-history' does
  openswf history import --domain D [--workflow-id W] FILE
                          load such a history into a domain as a closed run
  openswf reset --domain D --workflow-id W [--run-id R] --event-id N
                          start a workflow again from one of its DecisionTaskCompleted events
  openswf archive list --domain D [--workflow-id W]
  openswf archive get --domain D --workflow-id W --run-id R [--history]
                          list and read the runs archived when their retention ended
`

// archiveFlags defines serve's flags of the archive.
func archiveFlags(fs *flag.FlagSet) (url, endpoint *string) {
	return fs.String("archive", env("OPENSWF_ARCHIVE", ""), "extension: where closed runs go when their retention ends, file:///DIR or s3://BUCKET/PREFIX; empty: they are deleted (OPENSWF_ARCHIVE)"),
		fs.String("archive-endpoint", env("OPENSWF_ARCHIVE_ENDPOINT", ""), "URL of an S3-compatible service for --archive s3://...; empty: AWS (OPENSWF_ARCHIVE_ENDPOINT)")
}

// extensionFlags are the flags every extension command takes.
type extensionFlags struct {
	fs                           *flag.FlagSet
	endpoint, domain, workflowID *string
	runID                        *string
}

func newExtensionFlags(name string, stderr io.Writer) *extensionFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &extensionFlags{
		fs:         fs,
		endpoint:   fs.String("endpoint", env("OPENSWF_ENDPOINT", client.DefaultEndpoint), "the server's URL (OPENSWF_ENDPOINT)"),
		domain:     fs.String("domain", "", "the domain"),
		workflowID: fs.String("workflow-id", "", "the workflowId"),
		runID:      fs.String("run-id", "", "the runId; default: the open run, or else the one started last"),
	}
}

// parse reads the flags and checks that the required ones are given.
func (f *extensionFlags) parse(args []string, required ...string) (*client.Client, error) {
	if err := f.fs.Parse(args); err != nil {
		return nil, err
	}
	for _, name := range required {
		if f.fs.Lookup(name).Value.String() == "" {
			return nil, fmt.Errorf("%s: --%s is required", f.fs.Name(), name)
		}
	}
	return client.New(context.Background(), *f.endpoint)
}

func runHistory(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, extensionsUsage)
		return errors.New("history takes export or import")
	}
	switch args[0] {
	case "export":
		f := newExtensionFlags("history export", stderr)
		c, err := f.parse(args[1:], "domain", "workflow-id")
		if err != nil {
			return err
		}
		events, _, err := c.History(context.Background(), *f.domain, *f.workflowID, *f.runID)
		if err != nil {
			return err
		}
		return client.WriteHistory(stdout, events)
	case "import":
		f := newExtensionFlags("history import", stderr)
		c, err := f.parse(args[1:], "domain")
		if err != nil {
			return err
		}
		if f.fs.NArg() != 1 {
			return errors.New("history import takes one file (- for standard input)")
		}
		return importHistory(c, *f.domain, *f.workflowID, f.fs.Arg(0), stdout)
	}
	return fmt.Errorf("unknown history command %q: export or import", args[0])
}

// importHistory loads a file written by history export (or the AWS CLI).
// Without a workflowId, the file's name without its extension is used.
func importHistory(c *client.Client, domain, workflowID, file string, stdout io.Writer) error {
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return err
	}
	in := &engine.ImportHistoryInput{Domain: domain, WorkflowID: workflowID}
	if err := json.Unmarshal(data, in); err != nil {
		return fmt.Errorf("%s is not a history as get-workflow-execution-history prints it: %w", file, err)
	}
	in.Domain = domain // the file has only events
	if in.WorkflowID = workflowID; in.WorkflowID == "" {
		if file == "-" {
			return errors.New("history import from standard input needs --workflow-id")
		}
		in.WorkflowID = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	out, err := c.ImportHistory(context.Background(), in)
	if err != nil {
		return err
	}
	return printJSON(stdout, out)
}

func runReset(args []string, stdout, stderr io.Writer) error {
	f := newExtensionFlags("reset", stderr)
	eventID := f.fs.Int64("event-id", 0, "the id of the DecisionTaskCompleted event to start again from")
	c, err := f.parse(args, "domain", "workflow-id", "event-id")
	if err != nil {
		return err
	}
	out, err := c.Reset(context.Background(), &engine.ResetInput{Domain: *f.domain, WorkflowID: *f.workflowID, RunID: *f.runID, DecisionTaskCompletedEventID: *eventID})
	if err != nil {
		return err
	}
	return printJSON(stdout, out)
}

func runArchive(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, extensionsUsage)
		return errors.New("archive takes list or get")
	}
	ctx := context.Background()
	switch args[0] {
	case "list":
		f := newExtensionFlags("archive list", stderr)
		c, err := f.parse(args[1:], "domain")
		if err != nil {
			return err
		}
		in := &engine.ListArchivedExecutionsInput{Domain: *f.domain, WorkflowID: *f.workflowID}
		all := &engine.ListArchivedExecutionsOutput{}
		for {
			page, err := c.ListArchived(ctx, in)
			if err != nil {
				return err
			}
			all.Executions = append(all.Executions, page.Executions...)
			if in.NextPageToken = page.NextPageToken; in.NextPageToken == "" {
				return printJSON(stdout, all)
			}
		}
	case "get":
		f := newExtensionFlags("archive get", stderr)
		history := f.fs.Bool("history", false, "print only the history, as history export does (history import reads it)")
		c, err := f.parse(args[1:], "domain", "workflow-id", "run-id")
		if err != nil {
			return err
		}
		rec, err := c.GetArchived(ctx, &engine.GetArchivedExecutionInput{Domain: *f.domain, WorkflowID: *f.workflowID, RunID: *f.runID})
		if err != nil {
			return err
		}
		if *history {
			events := make([]json.RawMessage, len(rec.Events))
			for i := range rec.Events {
				if events[i], err = json.Marshal(&rec.Events[i]); err != nil {
					return err
				}
			}
			return client.WriteHistory(stdout, events)
		}
		return printJSON(stdout, rec)
	}
	return fmt.Errorf("unknown archive command %q: list or get", args[0])
}

// printJSON prints an answer as the AWS CLI prints answers.
func printJSON(w io.Writer, v any) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return client.WriteCLIJSON(w, doc)
}
