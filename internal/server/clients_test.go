package server_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/swftest"
)

// clientEnv is an environment for AWS command-line clients that points them
// at nothing but the test server and the given keys.
func clientEnv(t *testing.T) []string {
	dir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	)
}

// needBoto3 returns the python3 that has boto3, or skips the test.
func needBoto3(t *testing.T) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil || exec.Command(python, "-c", "import boto3").Run() != nil {
		t.Skip("python3 with boto3 is not installed (.ci/run installs Debian's python3-boto3)")
	}
	return python
}

// runBoto3 runs a Python script with the server's URL as its argument; the
// script prints "ok" when all its assertions hold.
func runBoto3(t *testing.T, python, script, url string) {
	t.Helper()
	cmd := exec.Command(python, "-c", script, url)
	cmd.Env = clientEnv(t)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}

// The AWS CLI works against openswf with only --endpoint-url changed.
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not installed (.ci/run installs Debian's awscli)")
	}
	s := swftest.Start(t)
	cli := func(args ...string) (string, error) {
		cmd := exec.Command(aws, append([]string{"swf", "--endpoint-url", s.URL(), "--output", "json"}, args...)...)
		cmd.Env = clientEnv(t)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := cli("register-domain", "--name", "from-cli", "--workflow-execution-retention-period-in-days", "3", "--description", "made by the CLI"); err != nil {
		t.Fatalf("register-domain: %v\n%s", err, out)
	}
	out, err := cli("list-domains", "--registration-status", "REGISTERED")
	if err != nil {
		t.Fatalf("list-domains: %v\n%s", err, out)
	}
	var list struct {
		DomainInfos []struct{ Name, Status, Description, Arn string }
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("list-domains printed %s", out)
	}
	if len(list.DomainInfos) != 1 || list.DomainInfos[0].Name != "from-cli" || list.DomainInfos[0].Description != "made by the CLI" {
		t.Fatalf("list-domains: %+v", list)
	}
	out, err = cli("register-domain", "--name", "from-cli", "--workflow-execution-retention-period-in-days", "3")
	if err == nil || !strings.Contains(out, "DomainAlreadyExistsFault") {
		t.Fatalf("registering twice: %v\n%s", err, out)
	}
}

// boto3 parses openswf's answers and faults like Amazon SWF's.
func TestBoto3(t *testing.T) {
	t.Parallel()
	python := needBoto3(t)
	s := swftest.Start(t)
	script := `
import sys, boto3
c = boto3.client("swf", endpoint_url=sys.argv[1])
c.register_domain(name="from-boto3", workflowExecutionRetentionPeriodInDays="NONE",
                  tags=[{"key": "k", "value": "v"}])
try:
    c.register_domain(name="from-boto3", workflowExecutionRetentionPeriodInDays="1")
    sys.exit("registering twice succeeded")
except c.exceptions.DomainAlreadyExistsFault:
    pass
try:
    c.describe_domain(name="missing")
    sys.exit("describing a missing domain succeeded")
except c.exceptions.UnknownResourceFault as e:
    assert "missing" in e.response["Error"]["Message"], e.response
d = c.describe_domain(name="from-boto3")
assert d["configuration"]["workflowExecutionRetentionPeriodInDays"] == "NONE", d
arn = d["domainInfo"]["arn"]
assert c.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "k", "value": "v"}]
c.register_activity_type(domain="from-boto3", name="a", version="1", defaultTaskList={"name": "l"})
t = c.describe_activity_type(domain="from-boto3", activityType={"name": "a", "version": "1"})
assert t["typeInfo"]["creationDate"].year == 2026, t
names = [p["domainInfos"][0]["name"] for p in c.get_paginator("list_domains").paginate(registrationStatus="REGISTERED", maximumPageSize=1)]
assert names == ["from-boto3"], names
print("ok")
`
	runBoto3(t, python, script, s.URL())
}

// The AWS CLI's and boto3's signatures verify against a users file, and
// their users' policies hold.
func TestRealClientsSignAndAreAuthorized(t *testing.T) {
	t.Parallel()
	python := needBoto3(t)
	var file auth.File
	must(t, json.Unmarshal([]byte(`{"users": [{"name": "cli", "accessKeys": [{"accessKeyId": "AKIDEXAMPLE", "secretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}],
	  "policies": [{"Statement": [{"Effect": "Allow", "Action": ["swf:RegisterDomain", "swf:DescribeDomain", "swf:ListDomains"], "Resource": "*"}]}]}]}`), &file))
	a, err := auth.New(&file, server.DefaultRegion, server.DefaultAccountID)
	must(t, err)
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.Auth = a }))
	script := `
import sys, boto3, botocore
c = boto3.client("swf", endpoint_url=sys.argv[1])
c.register_domain(name="signed", workflowExecutionRetentionPeriodInDays="1")
assert c.describe_domain(name="signed")["domainInfo"]["name"] == "signed"
try:
    c.deprecate_domain(name="signed")
    sys.exit("a call the policy does not allow succeeded")
except c.exceptions.OperationNotPermittedFault as e:
    assert "swf:DeprecateDomain" in e.response["Error"]["Message"], e.response
bad = boto3.client("swf", endpoint_url=sys.argv[1], aws_secret_access_key="not-the-secret", aws_access_key_id="AKIDEXAMPLE")
try:
    bad.list_domains(registrationStatus="REGISTERED")
    sys.exit("a wrong secret was accepted")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidSignatureException", e.response
print("ok")
`
	runBoto3(t, python, script, s.URL())
	if aws, err := exec.LookPath("aws"); err == nil {
		cmd := exec.Command(aws, "swf", "--endpoint-url", s.URL(), "--output", "json", "list-domains", "--registration-status", "REGISTERED")
		cmd.Env = clientEnv(t)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), `"signed"`) {
			t.Fatalf("aws swf list-domains with a users file: %v\n%s", err, out)
		}
	}
}

// The AWS SDK for JavaScript v3 signs requests that verify, and parses
// openswf's answers and faults, including a denied call's.
func TestJavaScriptSDK(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("OPENSWF_TEST_JS_SDK_DIR")
	node, err := exec.LookPath("node")
	if dir == "" || err != nil {
		t.Skip("OPENSWF_TEST_JS_SDK_DIR (a folder with node_modules/@aws-sdk/client-swf) or node is missing (.ci/run installs them)")
	}
	var file auth.File
	must(t, json.Unmarshal([]byte(`{"users": [{"name": "js", "accessKeys": [{"accessKeyId": "AKIDJS", "secretAccessKey": "js/secret+key"}],
	  "policies": [{"Statement": [{"Effect": "Allow", "Action": ["swf:RegisterDomain", "swf:ListDomains"], "Resource": "*"}]}]}]}`), &file))
	a, err := auth.New(&file, server.DefaultRegion, server.DefaultAccountID)
	must(t, err)
	s := swftest.Start(t, swftest.WithConfig(func(c *server.Config) { c.Auth = a }))
	script := filepath.Join(dir, "openswf-test.mjs")
	must(t, os.WriteFile(script, []byte(`
import { SWFClient, RegisterDomainCommand, ListDomainsCommand, DeprecateDomainCommand, DescribeDomainCommand } from "@aws-sdk/client-swf";
const client = (secret) => new SWFClient({ endpoint: process.argv[2], region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "AKIDJS", secretAccessKey: secret } });
const c = client("js/secret+key");
await c.send(new RegisterDomainCommand({ name: "from-js", workflowExecutionRetentionPeriodInDays: "1" }));
const out = await c.send(new ListDomainsCommand({ registrationStatus: "REGISTERED" }));
if (out.domainInfos.length !== 1 || out.domainInfos[0].name !== "from-js") throw new Error(JSON.stringify(out));
try { await c.send(new DeprecateDomainCommand({ name: "from-js" })); throw new Error("a denied call succeeded"); }
catch (e) { if (e.name !== "OperationNotPermittedFault") throw e; }
try { await client("wrong").send(new ListDomainsCommand({ registrationStatus: "REGISTERED" })); throw new Error("a wrong secret was accepted"); }
catch (e) { if (e.name !== "InvalidSignatureException") throw e; }
console.log("ok");
`), 0o644))
	cmd := exec.Command(node, script, s.URL())
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("node: %v\n%s\n%s", err, out, stderr.String())
	}
}
