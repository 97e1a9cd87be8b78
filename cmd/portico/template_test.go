package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portico-gw/portico/template"
)

func TestValidateTemplate(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "sam-chat")
	for _, args := range [][]string{
		{"validate", "--template", filepath.Join(dir, "template.yaml")},
		{"validate", "-t", filepath.Join(dir, "template.yaml"), "--config", filepath.Join(dir, "portico.yaml")},
		// sam deploy's spelling: several pairs after one flag, and CloudFormation's long form.
		{"validate", "--template", filepath.Join(dir, "template.yaml"), "--parameter-overrides", "CallbackScheme=http", "ConnectionsDir=/tmp/x"},
		{"validate", "--template", filepath.Join(dir, "template.yaml"), "--parameter-overrides", "ParameterKey=CallbackScheme,ParameterValue=http"},
		{"validate", "--template", filepath.Join(dir, "template.yaml"), "--parameter-overrides", "CallbackScheme=http ConnectionsDir=/tmp/x"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 0 || !strings.Contains(out.String(), "OK (1 API, 3 functions, 3 warnings)") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out.String(), errb.String())
		}
		if !strings.Contains(errb.String(), "warning: "+filepath.Join(dir, "template.yaml")+":110:3: Resources.OnConnectPermission: AWS::Lambda::Permission skipped") {
			t.Errorf("%v: the warnings lack their file:line:col: %s", args, errb.String())
		}
	}
}

func TestValidateTemplateErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "template.yaml")
	const bad = `Transform: AWS::Serverless-2016-10-31
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod], Default: dev}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: !ImportValue other-stack-handler
      CodeUri: .
      Events:
        Get: {Type: Api, Properties: {Path: /x, Method: get, RestApiId: !Ref Nope}}
`
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run([]string{"validate", "--template", path, "--parameter-overrides", "Env=qa"}, &out, &errb)
	if code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, errb.String())
	}
	for _, want := range []string{
		"portico validate: invalid template:",
		path + `:3:3: Parameters.Env: "qa" is not one of the AllowedValues dev, prod`,
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
	// With a valid parameter, the next problems show, each with its position.
	errb.Reset()
	if code := run([]string{"validate", "--template", path}, &out, &errb); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	for _, want := range []string{
		path + ":9:16: Resources.Fn.Properties.Handler.Fn::ImportValue: Portico runs one template",
		path + ":12:73: Resources.Fn.Properties.Events.Get.Properties.RestApiId.Ref: Ref Nope: no parameter or resource of that name",
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}

func TestTemplateUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"validate", "--template", "nope.yaml"}, "portico validate: nope.yaml: no such file"},
		{[]string{"serve", "--template", "nope.yaml"}, "portico serve: nope.yaml: no such file"},
		{[]string{"validate", "--config", "x.yaml", "--parameter-overrides", "A=1"}, "--parameter-overrides needs --template"},
		{[]string{"validate", "--template", "t.yaml", "--parameter-overrides", "novalue"}, `"novalue": want Key=Value`},
		{[]string{"validate", "--template", filepath.Join("..", "..", "examples", "sam-chat", "template.yaml"), "--config", "missing.yaml"},
			"portico validate: missing.yaml: no such file"},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

// TestServeTemplateReloadsOnSIGHUP serves a template without a config file,
// then changes the template and sends SIGHUP: the new template is served.
func TestServeTemplateReloadsOnSIGHUP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	path := filepath.Join(t.TempDir(), "template.yaml")
	const tmpl = `Parameters:
  Answer: {Type: String, Default: unset}
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: ping}
  Ping:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: ping}
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Ping
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        RequestTemplates: {application/json: '{"statusCode": 200}'}
        IntegrationResponses:
          - StatusCode: '200'
            ResponseTemplates: {application/json: !Sub '{"answer": "${Answer}", "version": "VERSION"}'}
      MethodResponses: [{StatusCode: '200'}]
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: Get
    Properties: {RestApiId: !Ref Api, StageName: prod}
`
	write := func(version string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(strings.Replace(tmpl, "VERSION", version, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("1")
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"serve", "--template", path, "--parameter-overrides", "Answer=42", "--listen", addr}, &out, &errb)
	}()
	get := func() string {
		t.Helper()
		resp, err := http.Get("http://" + addr + "/prod/ping")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for get() != `{"answer": "42", "version": "1"}` {
		if time.Now().After(deadline) {
			t.Fatalf("serve never answered: %q %s", get(), errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	write("2")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for get() != `{"answer": "42", "version": "2"}` {
		if time.Now().After(deadline) {
			t.Fatalf("after SIGHUP: %q %s", get(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestServeTemplateUsagePlan serves a SAM API whose Auth.UsagePlan
// generates the usage plan and its API key: serve tells the key's value,
// which is derived from the config file's credentials (the same on every
// start), and the data plane asks for the key and counts the plan's quota.
func TestServeTemplateUsagePlan(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	files := map[string]string{
		"portico.yaml": "credentials: [{accessKeyId: AKIDEXAMPLE, secretAccessKey: template-secret}]\n",
		"code/app.py":  "def handler(event, context):\n    return {'statusCode': 200, 'body': 'pets'}\n",
		"template.yaml": `Transform: AWS::Serverless-2016-10-31
Resources:
  Pets:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: code
      Events:
        List: {Type: Api, Properties: {Path: /pets, Method: get, RestApiId: !Ref PetsApi}}
  PetsApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        ApiKeyRequired: true
        UsagePlan: {CreateUsagePlan: PER_API, Quota: {Limit: 2, Period: DAY}}
`,
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := template.Load(filepath.Join(dir, "template.yaml"), template.Options{KeySecret: []byte("template-secret")})
	if err != nil {
		t.Fatal(err)
	}
	value := tmpl.APIKeys[0].Value

	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"serve", "--template", filepath.Join(dir, "template.yaml"), "--config", filepath.Join(dir, "portico.yaml"), "--listen", addr}, &out, &errb)
	}()
	defer func() {
		_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	get := func(key string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+"/prod/pets", nil)
		if key != "" {
			req.Header.Set("x-api-key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := get("")
		if code == http.StatusForbidden && body == `{"message":"Forbidden"}` {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("without a key: %d %q; %s", code, body, errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(errb.String()+out.String(), value) {
		t.Errorf("serve never told the generated key's value %s:\n%s%s", value, out.String(), errb.String())
	}
	for i := range 2 {
		if code, body := get(value); code != http.StatusOK || body != "pets" {
			t.Fatalf("call %d with the generated key: %d %q", i+1, code, body)
		}
	}
	if code, body := get(value); code != http.StatusTooManyRequests || body != `{"message":"Limit Exceeded"}` {
		t.Errorf("past the quota: %d %q, want 429 Limit Exceeded", code, body)
	}
	if code, _ := get(strings.ToLower(value)); code != http.StatusForbidden {
		t.Errorf("with another key: %d, want 403", code)
	}
}
