package portico_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// get-export and export-api with the AWS CLI (v1): the documents it
// writes to its outfile parse, carry what was deployed, and their server
// URL reaches the API on this gateway's data plane.
func TestControlPlaneExportAWSCLI(t *testing.T) {
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not on PATH")
	}
	backend := textServer(t, "pets!")
	gw := startGateway(t, controlYAML)
	dir := t.TempDir()
	cli := func(service string, args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(awsCLI, append([]string{service, "--endpoint-url", gw.adminURL(), "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=",
			"AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecret, "AWS_DEFAULT_REGION=us-east-1")
		out, err := cmd.Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("aws %s %s: %v\n%s%s", service, strings.Join(args, " "), err, out, ee.Stderr)
			}
			t.Fatal(err)
		}
		var m map[string]any
		if len(out) > 0 {
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("aws %s %s: %v\n%s", service, args[0], err, out)
			}
		}
		return m
	}
	// read decodes an exported file (JSON or YAML) into JSON's shapes.
	read := func(name string) map[string]any {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := yaml.Unmarshal(b, &v); err != nil { // YAML reads JSON too
			t.Fatalf("%s does not parse: %v\n%s", name, err, b)
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(j, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	// serverURL is an OpenAPI 3 document's first server with its basePath.
	serverURL := func(doc map[string]any) string {
		t.Helper()
		s := doc["servers"].([]any)[0].(map[string]any)
		base := s["variables"].(map[string]any)["basePath"].(map[string]any)["default"].(string)
		return strings.Replace(s["url"].(string), "/{basePath}", base, 1)
	}

	// A REST API: GET /pets (HTTP_PROXY), deployed to prod.
	id := cli("apigateway", "create-rest-api", "--name", "pets")["id"].(string)
	root := cli("apigateway", "get-resources", "--rest-api-id", id)["items"].([]any)[0].(map[string]any)["id"].(string)
	pets := cli("apigateway", "create-resource", "--rest-api-id", id, "--parent-id", root, "--path-part", "pets")["id"].(string)
	cli("apigateway", "put-method", "--rest-api-id", id, "--resource-id", pets, "--http-method", "GET", "--authorization-type", "NONE",
		"--request-parameters", "method.request.querystring.kind=false")
	cli("apigateway", "put-integration", "--rest-api-id", id, "--resource-id", pets, "--http-method", "GET", "--type", "HTTP_PROXY",
		"--integration-http-method", "GET", "--uri", backend.URL+"/pets")
	cli("apigateway", "create-deployment", "--rest-api-id", id, "--stage-name", "prod")

	cli("apigateway", "get-export", "--rest-api-id", id, "--stage-name", "prod", "--export-type", "oas30",
		"--accepts", "application/yaml", "--parameters", "extensions=integrations", filepath.Join(dir, "rest.yaml"))
	raw, err := os.ReadFile(filepath.Join(dir, "rest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if json.Valid(raw) {
		t.Fatalf("--accepts application/yaml wrote JSON:\n%s", raw)
	}
	doc := read("rest.yaml")
	get := doc["paths"].(map[string]any)["/pets"].(map[string]any)["get"].(map[string]any)
	if in := get["x-amazon-apigateway-integration"].(map[string]any); in["type"] != "http_proxy" || in["uri"] != backend.URL+"/pets" {
		t.Fatalf("GET /pets integration: %v", in)
	}
	if p := get["parameters"].([]any)[0].(map[string]any); p["name"] != "kind" || p["in"] != "query" {
		t.Fatalf("GET /pets parameters: %v", get["parameters"])
	}
	url := serverURL(doc)
	if want := gw.URL + "/_aws/execute-api/" + id + "/prod"; url != want {
		t.Fatalf("server %s, want %s", url, want)
	}
	if status, body := getStatus(t, url+"/pets"); status != http.StatusOK || body != "pets!" {
		t.Fatalf("GET %s/pets: %d %q", url, status, body)
	}

	cli("apigateway", "get-export", "--rest-api-id", id, "--stage-name", "prod", "--export-type", "swagger",
		filepath.Join(dir, "rest.json"))
	sw := read("rest.json")
	if sw["swagger"] != "2.0" || sw["basePath"] != "/_aws/execute-api/"+id+"/prod" || !strings.HasPrefix(gw.URL, "http://"+sw["host"].(string)) {
		t.Fatalf("swagger: swagger %v host %v basePath %v", sw["swagger"], sw["host"], sw["basePath"])
	}
	if _, ok := sw["paths"].(map[string]any)["/pets"].(map[string]any)["get"].(map[string]any)["x-amazon-apigateway-integration"]; ok {
		t.Fatal("an integration without extensions")
	}

	// An HTTP API by quick create: its $default stage auto-deploys.
	api := cli("apigatewayv2", "create-api", "--name", "web", "--protocol-type", "HTTP", "--target", backend.URL+"/pets")
	hid := api["ApiId"].(string)
	cli("apigatewayv2", "export-api", "--api-id", hid, "--specification", "OAS30", "--output-type", "YAML",
		"--stage-name", "$default", filepath.Join(dir, "http.yaml"))
	hdoc := read("http.yaml")
	if hdoc["openapi"] != "3.0.1" || hdoc["x-amazon-apigateway-importexport-version"] != "1.0" {
		t.Fatalf("export-api: %v", hdoc)
	}
	def := hdoc["paths"].(map[string]any)["/$default"].(map[string]any)["x-amazon-apigateway-any-method"].(map[string]any)
	if in := def["x-amazon-apigateway-integration"].(map[string]any); in["uri"] != backend.URL+"/pets" || in["type"] != "http_proxy" {
		t.Fatalf("$default integration: %v", in)
	}
	if status, body := getStatus(t, serverURL(hdoc)+"/anything"); status != http.StatusOK || body != "pets!" {
		t.Fatalf("GET %s/anything: %d %q", serverURL(hdoc), status, body)
	}
	cli("apigatewayv2", "export-api", "--api-id", hid, "--specification", "OAS30", "--output-type", "JSON",
		"--no-include-extensions", filepath.Join(dir, "http.json"))
	if _, ok := read("http.json")["x-amazon-apigateway-importexport-version"]; ok {
		t.Fatal("--no-include-extensions wrote extensions")
	}
}
