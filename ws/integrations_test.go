package ws_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gorilla/websocket"
)

// lambdaEndpoint serves the Lambda Invoke API
// (POST /2015-03-31/functions/{name}/invocations) as the real Lambda does.
type lambdaEndpoint struct {
	*httptest.Server
	mu       sync.Mutex
	invoked  []string // function names
	payloads chan events.APIGatewayWebsocketProxyRequest
}

func newLambdaEndpoint(t testing.TB, fn func(name string, ev events.APIGatewayWebsocketProxyRequest) (payload string, functionError string)) *lambdaEndpoint {
	t.Helper()
	l := &lambdaEndpoint{payloads: make(chan events.APIGatewayWebsocketProxyRequest, 64)}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/2015-03-31/functions/")
		name, ok2 := strings.CutSuffix(rest, "/invocations")
		if !ok || !ok2 || r.Method != http.MethodPost {
			t.Errorf("unexpected Lambda request %s %s", r.Method, r.URL)
			http.Error(w, "not found", 404)
			return
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=") {
			t.Errorf("Lambda request not SigV4-signed: %q", r.Header.Get("Authorization"))
		}
		name, _ = url.PathUnescape(name)
		raw, _ := io.ReadAll(r.Body)
		var ev events.APIGatewayWebsocketProxyRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Errorf("Lambda payload: %v", err)
		}
		l.mu.Lock()
		l.invoked = append(l.invoked, name)
		l.mu.Unlock()
		l.payloads <- ev
		payload, fnErr := fn(name, ev)
		if fnErr != "" {
			w.Header().Set("X-Amz-Function-Error", fnErr)
		}
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, payload)
	}))
	t.Cleanup(l.Close)
	return l
}

// TestLambdaIntegrationThroughTheSDK: the harness builds the Lambda client
// from the file's lambda block; the root package's
// TestLambdaClientFromConfig covers the node doing so.
func TestLambdaIntegrationThroughTheSDK(t *testing.T) {
	l := newLambdaEndpoint(t, func(name string, ev events.APIGatewayWebsocketProxyRequest) (string, string) {
		switch {
		case ev.RequestContext.EventType != "MESSAGE":
			return `{"statusCode":200}`, ""
		case strings.Contains(ev.Body, "throw"):
			return `{"errorMessage":"boom","errorType":"Error"}`, "Unhandled"
		default:
			return `{"statusCode":200,"body":"from ` + name + `"}`, ""
		}
	})
	cfg := `
lambda:
  endpoint: ` + l.URL + `
  accessKeyId: AKIDLAMBDA
  secretAccessKey: lambda-secret
apis:
  - apiId: lambdaapi1
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: fn
        integrationType: AWS_PROXY
        integrationUri: arn:aws:lambda:us-east-1:123456789012:function:chat-handler
      - integrationId: fnpath
        integrationType: AWS_PROXY
        integrationUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:other/invocations
    routes:
      - routeKey: $connect
        target: integrations/fn
      - routeKey: other
        target: integrations/fnpath
        routeResponseSelectionExpression: $default
      - routeKey: $default
        target: integrations/fn
        routeResponseSelectionExpression: $default
    stages:
      - stageName: prod
`
	gw := startGateway(t, cfg)
	c := dial(t, gw.WS+"/prod", nil)
	if ev := <-l.payloads; ev.RequestContext.EventType != "CONNECT" {
		t.Fatalf("first invocation %s, want CONNECT", ev.RequestContext.EventType)
	}
	send := func(s string) { _ = c.WriteMessage(websocket.TextMessage, []byte(s)) }

	send(`{"action":"hello"}`)
	if got := readText(t, c); got != "from arn:aws:lambda:us-east-1:123456789012:function:chat-handler" {
		t.Errorf("reply %q", got)
	}
	send(`{"action":"other"}`)
	if got := readText(t, c); got != "from arn:aws:lambda:us-east-1:123456789012:function:other" {
		t.Errorf("reply %q", got)
	}
	send(`{"action":"throw"}`)
	if got := readText(t, c); !errorFramePattern("Internal server error").MatchString(got) {
		t.Errorf("function error: %q, want the Internal server error frame", got)
	}
}

func TestHTTPProxyIntegrationWithRequestParameters(t *testing.T) {
	type seen struct {
		method, path, query, connID, static, stageVar, body, ct string
	}
	got := make(chan seen, 8)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("connectionId"), r.Header.Get("X-Static"), r.Header.Get("X-Color"), string(body), r.Header.Get("Content-Type")}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"proxied":true}`)
	}))
	defer backend.Close()
	cfg := `
apis:
  - apiId: httpapi001
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: web
        integrationType: HTTP_PROXY
        integrationMethod: PUT
        integrationUri: ` + backend.URL + `/rooms/{room}
        requestParameters:
          integration.request.header.connectionId: context.connectionId
          integration.request.header.X-Static: "'fixed'"
          integration.request.header.X-Color: stageVariables.color
          integration.request.querystring.user: route.request.body.user
          integration.request.path.room: route.request.body.room
    routes:
      - routeKey: $default
        target: integrations/web
        routeResponseSelectionExpression: $default
    stages:
      - stageName: dev
        stageVariables: {color: green}
`
	gw := startGateway(t, cfg)
	c := dial(t, gw.WS+"/dev", nil)
	msg := `{"action":"say","user":"ann","room":"lobby"}`
	_ = c.WriteMessage(websocket.TextMessage, []byte(msg))
	var s seen
	select {
	case s = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("backend not called")
	}
	if s.method != "PUT" || s.path != "/rooms/lobby" || s.query != "user=ann" || s.static != "fixed" || s.stageVar != "green" || s.body != msg {
		t.Errorf("backend saw %+v", s)
	}
	if len(s.connID) != 16 || !strings.HasSuffix(s.connID, "=") {
		t.Errorf("connectionId header %q", s.connID)
	}
	if reply := readText(t, c); reply != `{"proxied":true}` {
		t.Errorf("two-way HTTP_PROXY reply %q", reply)
	}
}

func TestMockIntegration(t *testing.T) {
	cfg := `
apis:
  - apiId: mockapi001
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: mock
        integrationType: MOCK
        templateSelectionExpression: \$default
        requestTemplates:
          $default: '{"statusCode": 200}'
        integrationResponses:
          - integrationResponseKey: $default
            responseTemplates:
              $default: '{"pong": true}'
    routes:
      - routeKey: ping
        target: integrations/mock
        routeResponseSelectionExpression: $default
      - routeKey: quiet
        target: integrations/mock
    stages:
      - stageName: dev
`
	gw := startGateway(t, cfg)
	c := dial(t, gw.WS+"/dev", nil)
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"quiet"}`))
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"ping"}`))
	if got := readText(t, c); got != `{"pong": true}` {
		t.Errorf("MOCK reply %q", got)
	}
}

// Mapping templates are VTL on WebSocket routes too: an HTTP integration's
// request template rewrites the message with $input.path, $context and
// $stageVariables, its integration response template rewrites the
// backend's answer, and a MOCK's rendered template picks the status.
func TestWebSocketMappingTemplates(t *testing.T) {
	got := make(chan string, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
		_, _ = io.WriteString(w, `{"items":[{"n":"a"},{"n":"b"}],"total":2}`)
	}))
	defer backend.Close()
	cfg := `
apis:
  - apiId: vtlapi0001
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: web
        integrationType: HTTP
        integrationMethod: POST
        integrationUri: ` + backend.URL + `
        templateSelectionExpression: \$default
        requestTemplates:
          $default: |
            #set($tags = $input.path('$.tags'))
            {"user":"$util.escapeJavaScript($input.path('$.user'))","conn":"$context.connectionId","route":"$context.routeKey","color":"$stageVariables.color","tags":$tags.size()#foreach($t in $tags),"t$foreach.count":"$t.toUpperCase()"#end}
        integrationResponses:
          - integrationResponseKey: /2\d\d/
            templateSelectionExpression: \$default
            responseTemplates:
              $default: '#foreach($i in $input.path(''$.items''))$i.n#if($foreach.hasNext),#end#end of $input.json(''$.total'')'
      - integrationId: mock
        integrationType: MOCK
        templateSelectionExpression: \$default
        requestTemplates:
          $default: '#if($input.path(''$.ok''))#set($s = 200)#else#set($s = 500)#end{"statusCode": $s}'
        integrationResponses:
          - integrationResponseKey: /5\d\d/
            templateSelectionExpression: \$default
            responseTemplates: {$default: 'failed'}
          - integrationResponseKey: $default
            templateSelectionExpression: \$default
            responseTemplates: {$default: 'fine'}
    routes:
      - {routeKey: say, target: integrations/web, routeResponseSelectionExpression: $default}
      - {routeKey: check, target: integrations/mock, routeResponseSelectionExpression: $default}
    stages:
      - stageName: dev
        stageVariables: {color: green}
`
	gw := startGateway(t, cfg)
	c := dial(t, gw.WS+"/dev", nil)
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"say","user":"O'Brien","tags":["x","y"]}`))
	var sent string
	select {
	case sent = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("backend not called")
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(strings.ReplaceAll(sent, `\'`, `'`)), &m); err != nil {
		t.Fatalf("rendered request %q: %v", sent, err)
	}
	if m["user"] != "O'Brien" || m["route"] != "say" || m["color"] != "green" || m["tags"] != float64(2) || m["t1"] != "X" || m["t2"] != "Y" ||
		len(m["conn"].(string)) != 16 {
		t.Errorf("rendered request %s", sent)
	}
	if reply := readText(t, c); reply != "a,b of 2" {
		t.Errorf("response template reply %q", reply)
	}
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"check","ok":false}`))
	if reply := readText(t, c); reply != "failed" {
		t.Errorf("MOCK 500 reply %q", reply)
	}
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"check","ok":true}`))
	if reply := readText(t, c); reply != "fine" {
		t.Errorf("MOCK 200 reply %q", reply)
	}
}

// An AWS (non-proxy Lambda) integration on a WebSocket route: the request
// template is the payload; an error's errorMessage selects the
// integration response, else $default carries the function's answer.
func TestWebSocketLambdaNonProxy(t *testing.T) {
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Name, Conn string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		if in.Name == "" {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			_, _ = io.WriteString(w, `{"errorMessage":"Invalid name","errorType":"Error"}`)
			return
		}
		_, _ = io.WriteString(w, `{"greeting":"hello `+in.Name+`","sameConn":`+strconv.FormatBool(len(in.Conn) == 16)+`}`)
	}))
	defer fn.Close()
	gw := startGateway(t, `
apis:
  - apiId: awsnp00001
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: fn
        integrationType: AWS
        integrationUri: `+fn.URL+`
        templateSelectionExpression: \$default
        requestTemplates:
          $default: '{"name":"$input.path(''$.name'')","conn":"$context.connectionId"}'
        integrationResponses:
          - integrationResponseKey: /Invalid.*/
            templateSelectionExpression: \$default
            responseTemplates: {$default: '{"error":"$input.path(''$.errorMessage'')"}'}
          - integrationResponseKey: $default
    routes:
      - {routeKey: greet, target: integrations/fn, routeResponseSelectionExpression: $default}
    stages: [{stageName: dev}]
`)
	c := dial(t, gw.WS+"/dev", nil)
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"greet","name":"ann"}`))
	if got := readText(t, c); got != `{"greeting":"hello ann","sameConn":true}` {
		t.Errorf("success reply %q", got)
	}
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"greet"}`))
	if got := readText(t, c); got != `{"error":"Invalid name"}` {
		t.Errorf("error reply %q", got)
	}
}
