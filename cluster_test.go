package portico_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/gorilla/websocket"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/portico-gw/portico/connections"
)

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// natsClient connects a plain nats.go client, as a backend would.
func natsClient(t testing.TB, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// signedDo sends a SigV4-signed request, as the SDKs sign @connections calls.
func signedDo(t testing.TB, method, url string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(string(body)))
	sum := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if len(body) > 0 {
		sum = sha256hex(body)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}, req, sum, "execute-api", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func TestLifecycleEventsOverNATS(t *testing.T) {
	b := newBackend(t, nil)
	natsPort := freePort(t)
	gw := startGateway(t, chatConfig(b.URL, "")+fmt.Sprintf("nats:\n  listen: 127.0.0.1:%d\n", natsPort))
	nc := natsClient(t, fmt.Sprintf("nats://127.0.0.1:%d", natsPort))
	sub, err := nc.SubscribeSync("portico.events.chatapi001.dev.*")
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()

	c := dial(t, gw.WS+"/dev", http.Header{"User-Agent": {"events-test"}})
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "portico.events.chatapi001.dev.connect" {
		t.Fatalf("subject %s", m.Subject)
	}
	var ev struct {
		ConnectionID, CallbackURL, SendSubject, APIID, Stage string
		ConnectedAt                                          int64
		Identity                                             struct{ SourceIP, UserAgent string }
	}
	var raw map[string]any
	_ = json.Unmarshal(m.Data, &raw)
	assertKeys(t, "connect event", raw, "connectionId", "callbackUrl", "sendSubject", "apiId", "stage", "connectedAt", "identity")
	if err := json.Unmarshal(m.Data, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.APIID != "chatapi001" || ev.Stage != "dev" || ev.CallbackURL != gw.URL+"/dev/@connections" ||
		ev.Identity.SourceIP != "127.0.0.1" || ev.Identity.UserAgent != "events-test" || time.Since(time.UnixMilli(ev.ConnectedAt)) > time.Minute {
		t.Errorf("connect event %+v", ev)
	}
	if ev.SendSubject != "portico.node."+gw.NodeID()+".send."+ev.ConnectionID {
		t.Errorf("sendSubject %q", ev.SendSubject)
	}
	// The callback URL works with the SDK as it is.
	client := mgmtClient(strings.TrimSuffix(ev.CallbackURL, "/@connections"), testAccessKey, testSecret)
	if _, err := client.PostToConnection(context.Background(), &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(ev.ConnectionID), Data: []byte("via callback")}); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, c); got != "via callback" {
		t.Errorf("client got %q", got)
	}
	// sendSubject: a request says delivered.
	reply, err := nc.Request(ev.SendSubject, []byte("via nats"), 5*time.Second)
	if err != nil || string(reply.Data) != "delivered" {
		t.Fatalf("sendSubject request: %v %v", err, reply)
	}
	if got := readText(t, c); got != "via nats" {
		t.Errorf("client got %q", got)
	}

	_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, "done"), time.Now().Add(time.Second))
	m, err = sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	raw = nil
	_ = json.Unmarshal(m.Data, &raw)
	if m.Subject != "portico.events.chatapi001.dev.disconnect" || raw["connectionId"] != ev.ConnectionID ||
		raw["disconnectStatusCode"] != float64(1000) || raw["disconnectReason"] != "done" || raw["connectedAt"] != float64(ev.ConnectedAt) {
		t.Errorf("disconnect event on %s: %v", m.Subject, raw)
	}
	assertKeys(t, "disconnect event", raw, "connectionId", "apiId", "stage", "connectedAt", "disconnectStatusCode", "disconnectReason")
	reply, err = nc.Request(ev.SendSubject, []byte("late"), 5*time.Second)
	if err != nil || string(reply.Data) != "gone" {
		t.Errorf("sendSubject after close: %v %v", err, reply)
	}
}

// The authorizer's principalId and context reach the connect event
// published over NATS; package ws's TestConnectLambdaAuthorizer covers the
// authorizer itself.
func TestConnectAuthorizerContextOverNATS(t *testing.T) {
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},"context":{"tier":"gold"}}`)
	}))
	defer fn.Close()
	b := newBackend(t, nil)
	cfg := strings.Replace(chatConfig(b.URL, ""), "      - routeKey: $connect\n        target: integrations/backend\n",
		"      - routeKey: $connect\n        target: integrations/backend\n        authorizationType: CUSTOM\n        authorizerId: auth\n", 1)
	cfg = strings.Replace(cfg, "    stages:\n", "    authorizers:\n      - {authorizerId: auth, authorizerType: REQUEST, authorizerUri: "+fn.URL+
		", identitySource: [route.request.querystring.token]}\n    stages:\n", 1)
	gw := startGateway(t, cfg)
	connects, err := gw.Bus().NATS().SubscribeSync("portico.events.chatapi001.dev.connect")
	if err != nil {
		t.Fatal(err)
	}
	_ = gw.Bus().NATS().Flush()

	dial(t, gw.WS+"/dev?token=good", nil)
	m, err := connects.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var ev connections.ConnectEvent
	_ = json.Unmarshal(m.Data, &ev)
	if ev.Authorizer["principalId"] != "user-1" || ev.Authorizer["tier"] != "gold" {
		t.Errorf("NATS connect event authorizer = %v", ev.Authorizer)
	}
}

// assertKeys checks that m has exactly the keys want.
func assertKeys(t testing.TB, what string, m map[string]any, want ...string) {
	t.Helper()
	if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("%s keys = %v, want %v", what, got, slices.Sorted(slices.Values(want)))
	}
}

type node struct {
	*gateway
	natsURL   string
	routePort int
}

// startCluster starts n gateways serving the chat API, each with its own
// embedded NATS server, clustered over loopback routes.
func startCluster(t *testing.T, n int, backendURL string) []node {
	t.Helper()
	return startClusterYAML(t, n, chatConfig(backendURL, ""))
}

// startClusterYAML starts n gateways serving yaml, each with its own
// embedded NATS server, clustered over loopback routes.
func startClusterYAML(t *testing.T, n int, yaml string) []node {
	t.Helper()
	routePorts := make([]int, n)
	for i := range routePorts {
		routePorts[i] = freePort(t)
	}
	nodes := make([]node, n)
	for i := 0; i < n; i++ {
		var peers []int
		for j, p := range routePorts {
			if j != i {
				peers = append(peers, p)
			}
		}
		nodes[i] = startClusterNode(t, yaml, routePorts[i], peers)
	}
	waitCluster(t, nodes)
	return nodes
}

// startClusterNode starts one gateway whose embedded NATS server listens
// for routes on routePort and routes to the peers' route ports.
func startClusterNode(t *testing.T, yaml string, routePort int, peers []int) node {
	t.Helper()
	routes := make([]string, len(peers))
	for i, p := range peers {
		routes[i] = fmt.Sprintf("nats-route://127.0.0.1:%d", p)
	}
	clientPort := freePort(t)
	extra := fmt.Sprintf("nats:\n  listen: 127.0.0.1:%d\n  cluster:\n    name: test\n    listen: 127.0.0.1:%d\n    routes: [%s]\n",
		clientPort, routePort, strings.Join(routes, ", "))
	return node{startGateway(t, yaml+extra), fmt.Sprintf("nats://127.0.0.1:%d", clientPort), routePort}
}

// waitCluster waits until every node's subscriptions are visible from
// every other node.
func waitCluster(t *testing.T, nodes []node) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for i := range nodes {
		nc := natsClient(t, nodes[i].natsURL)
		for j := range nodes {
			for {
				if _, err := nc.Request("portico.node."+nodes[j].NodeID()+".ping", nil, 200*time.Millisecond); err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("cluster did not form: node %d cannot reach node %d", i, j)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
}

func TestClusterServesConnectionsOfOtherNodes(t *testing.T) {
	b := newBackend(t, nil)
	nodes := startCluster(t, 3, b.URL)
	ctx := context.Background()

	// One client on each node.
	clients := make([]*websocket.Conn, 3)
	connIDs := make([]string, 3)
	for i, n := range nodes {
		clients[i] = dial(t, n.WS+"/dev", http.Header{"User-Agent": {fmt.Sprintf("client-%d", i)}})
		connIDs[i] = b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
		if !strings.HasPrefix(connIDs[i], n.NodeID()) {
			t.Fatalf("connection ID %s does not carry node ID %s", connIDs[i], n.NodeID())
		}
	}
	// Every node serves POST and GET for every connection, the same way.
	for i, n := range nodes {
		client := mgmtClient(n.URL+"/dev", testAccessKey, testSecret)
		for j := range nodes {
			msg := fmt.Sprintf("from node %d to conn %d", i, j)
			if _, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(connIDs[j]), Data: []byte(msg)}); err != nil {
				t.Fatalf("node %d POST to node %d's connection: %v", i, j, err)
			}
			if got := readText(t, clients[j]); got != msg {
				t.Errorf("client %d got %q, want %q", j, got, msg)
			}
			out, err := client.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(connIDs[j])})
			if err != nil || aws.ToString(out.Identity.UserAgent) != fmt.Sprintf("client-%d", j) {
				t.Errorf("node %d GET node %d's connection: %v %+v", i, j, err, out)
			}
		}
		// Oversize and malformed answers are the same remotely.
		_, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(connIDs[(i+1)%3]), Data: make([]byte, 128*1024+1)})
		var tooLarge *types.PayloadTooLargeException
		if !errors.As(err, &tooLarge) {
			t.Errorf("node %d oversize POST to a remote connection: %v", i, err)
		}
	}
	// DELETE through another node closes with 1000 and runs $disconnect.
	client0 := mgmtClient(nodes[0].URL+"/dev", testAccessKey, testSecret)
	if _, err := client0.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(connIDs[1])}); err != nil {
		t.Fatal(err)
	}
	if ce := readClose(t, clients[1], 5*time.Second); ce.Code != 1000 {
		t.Errorf("close %d after remote DELETE", ce.Code)
	}
	var gone *types.GoneException
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := client0.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(connIDs[1])})
		if errors.As(err, &gone) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("remote GET after DELETE: %v, want GoneException", err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A stopped node's connections are gone, quickly.
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := nodes[2].Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		start := time.Now()
		_, err := client0.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(connIDs[2]), Data: []byte("x")})
		if errors.As(err, &gone) {
			if d := time.Since(start); d > time.Second {
				t.Errorf("410 for a stopped node took %v", d)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("POST to a stopped node's connection: %v, want GoneException", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBroadcastAndListingAcrossNodes(t *testing.T) {
	b := newBackend(t, nil)
	nodes := startCluster(t, 3, b.URL)

	// Two clients per node on stage dev.
	var clients []*websocket.Conn
	var ids []string
	for _, n := range nodes {
		for k := 0; k < 2; k++ {
			clients = append(clients, dial(t, n.WS+"/dev", nil))
			ids = append(ids, b.next(t, "CONNECT").Ev.RequestContext.ConnectionID)
		}
	}
	expectAll := func(what, want string) {
		t.Helper()
		for i, c := range clients {
			if got := readText(t, c); got != want {
				t.Errorf("%s: client %d got %q, want %q", what, i, got, want)
			}
		}
	}
	// Over HTTP, through any node.
	status, body := signedDo(t, "POST", nodes[1].URL+"/dev/@broadcast", []byte("hello everyone"))
	if status != 200 {
		t.Fatalf("@broadcast: %d %s", status, body)
	}
	expectAll("@broadcast", "hello everyone")

	// Over NATS, with no HTTP at all.
	nc := natsClient(t, nodes[0].natsURL)
	if err := nc.Publish("portico.broadcast.chatapi001.dev", []byte(`{"tick":1}`)); err != nil {
		t.Fatal(err)
	}
	expectAll("NATS broadcast", `{"tick":1}`)
	// Another stage's broadcast reaches nobody here.
	_ = nc.Publish("portico.broadcast.chatapi001.prod", []byte("not for dev"))
	_ = nc.Publish("portico.broadcast.otherapi.dev", []byte("not for this API"))
	// sendSubject of one connection on node 2 reaches only it.
	if err := nc.Publish("portico.node."+nodes[2].NodeID()+".send."+ids[4], []byte("just you")); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, clients[4]); got != "just you" {
		t.Errorf("sendSubject: %q", got)
	}
	for i, c := range clients {
		_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if _, data, err := c.ReadMessage(); err == nil {
			t.Errorf("client %d got a message not meant for it: %q", i, data)
		}
	}

	// The listing has every connection, paginated, from any node.
	sort.Strings(ids)
	var listed []string
	token := ""
	for page := 0; page < 10; page++ {
		url := nodes[0].URL + "/dev/@connections?maxResults=4"
		if token != "" {
			url += "&nextToken=" + token
		}
		status, body := signedDo(t, "GET", url, nil)
		if status != 200 {
			t.Fatalf("list: %d %s", status, body)
		}
		var p struct {
			Items []struct {
				ConnectionID, ConnectedAt, LastActiveAt string
				Identity                                struct{ SourceIP, UserAgent string }
			}
			NextToken string
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			if it.Identity.SourceIP != "127.0.0.1" || it.ConnectedAt == "" || it.LastActiveAt == "" {
				t.Errorf("item %+v", it)
			}
			listed = append(listed, it.ConnectionID)
		}
		if p.NextToken == "" {
			break
		}
		token = p.NextToken
	}
	if strings.Join(listed, ",") != strings.Join(ids, ",") {
		t.Errorf("listed %v, want %v", listed, ids)
	}
	if status, _ := signedDo(t, "GET", nodes[0].URL+"/dev/@connections?maxResults=0", nil); status != 400 {
		t.Errorf("maxResults=0: %d, want 400", status)
	}
}

func TestNATSIntegrationTwoWayRoute(t *testing.T) {
	natsPort := freePort(t)
	cfg := fmt.Sprintf(`
nats:
  listen: 127.0.0.1:%d
apis:
  - apiId: natsapi001
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: svc
        integrationType: NATS
        integrationUri: nats:chat.backend
      - integrationId: log
        integrationType: NATS
        integrationUri: nats:chat.log?mode=publish
    routes:
      - routeKey: ask
        target: integrations/svc
        routeResponseSelectionExpression: $default
      - routeKey: note
        target: integrations/log
        routeResponseSelectionExpression: $default
    stages:
      - stageName: dev
`, natsPort)
	gw := startGateway(t, cfg)
	nc := natsClient(t, fmt.Sprintf("nats://127.0.0.1:%d", natsPort))
	// A backend in any language: a NATS subscription answering Lambda-format responses.
	_, err := nc.Subscribe("chat.backend", func(m *nats.Msg) {
		var ev events.APIGatewayWebsocketProxyRequest
		if err := json.Unmarshal(m.Data, &ev); err != nil {
			_ = m.Respond([]byte(`{"statusCode":500}`))
			return
		}
		out, _ := json.Marshal(map[string]any{"statusCode": 200, "body": "answer to " + ev.RequestContext.ConnectionID})
		_ = m.Respond(out)
	})
	if err != nil {
		t.Fatal(err)
	}
	logged, _ := nc.SubscribeSync("chat.log")
	_ = nc.Flush()

	c := dial(t, gw.WS+"/dev", nil)
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"ask"}`))
	got := readText(t, c)
	if !strings.HasPrefix(got, "answer to ") || len(got) != len("answer to ")+16 {
		t.Errorf("two-way NATS route answered %q", got)
	}
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"note","x":1}`))
	m, err := logged.NextMsg(5 * time.Second)
	if err != nil || !strings.Contains(string(m.Data), `"routeKey":"note"`) {
		t.Fatalf("publish-mode event: %v %v", err, m)
	}
	// No subscriber: the integration fails at once with the error frame.
	_ = logged.Unsubscribe()
	_ = nc.Flush()
	cfgNoSub := strings.Replace(cfg, "nats:chat.backend", "nats:nobody.home", 1)
	gw2 := startGateway(t, strings.Replace(cfgNoSub, fmt.Sprintf("listen: 127.0.0.1:%d", natsPort), "listen: \"\"", 1))
	c2 := dial(t, gw2.WS+"/dev", nil)
	start := time.Now()
	_ = c2.WriteMessage(websocket.TextMessage, []byte(`{"action":"ask"}`))
	if got := readText(t, c2); !errorFramePattern("Internal server error").MatchString(got) || time.Since(start) > 2*time.Second {
		t.Errorf("no responders: %q after %v", got, time.Since(start))
	}
}

// TestNATSOutageUnderTraffic runs two gateways on an external NATS server,
// stops the server under traffic and starts it again.
func TestNATSOutageUnderTraffic(t *testing.T) {
	port := freePort(t)
	startNATS := func() *server.Server {
		ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
		if err != nil {
			t.Fatal(err)
		}
		ns.Start()
		if !ns.ReadyForConnections(10 * time.Second) {
			t.Fatal("nats-server did not start")
		}
		return ns
	}
	ns := startNATS()
	b := newBackend(t, nil)
	extra := fmt.Sprintf("nats:\n  url: nats://127.0.0.1:%d\n", port)
	g1 := startGateway(t, chatConfig(b.URL, "")+extra)
	g2 := startGateway(t, chatConfig(b.URL, "")+extra)
	ctx := context.Background()
	c1 := dial(t, g1.WS+"/dev", nil)
	id1 := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
	c2 := dial(t, g2.WS+"/dev", nil)
	id2 := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
	client1 := mgmtClient(g1.URL+"/dev", testAccessKey, testSecret)
	post := func(client *apigatewaymanagementapi.Client, id, data string) error {
		_, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte(data)})
		return err
	}
	// Cross-node works before the outage.
	if err := post(client1, id2, "before"); err != nil {
		t.Fatal(err)
	}
	readText(t, c2)
	goroutinesBefore := runtime.NumGoroutine()

	t0 := time.Now()
	ns.Shutdown()
	ns.WaitForShutdown()
	t.Logf("nats-server stopped in %v", time.Since(t0))
	// Wait until the gateways notice.
	deadline := time.Now().Add(10 * time.Second)
	for g1.Bus().Connected() || g2.Bus().Connected() {
		if time.Now().After(deadline) {
			t.Fatal("gateways did not notice the outage")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("gateways noticed the outage after %v", time.Since(t0))
	// Local traffic is unaffected: messages, local @connections, new connections.
	for i := 0; i < 20; i++ {
		if err := post(client1, id1, fmt.Sprintf("local %d", i)); err != nil {
			t.Fatalf("local POST during the outage: %v", err)
		}
		if got := readText(t, c1); got != fmt.Sprintf("local %d", i) {
			t.Fatalf("got %q", got)
		}
	}
	_ = c1.WriteMessage(websocket.TextMessage, []byte(`{"action":"sendmessage"}`))
	b.next(t, "MESSAGE")
	c3 := dial(t, g1.WS+"/dev", nil)
	b.next(t, "CONNECT")
	// Cross-node fails fast with a clear 5xx.
	start := time.Now()
	err := post(client1, id2, "during")
	var apiErr interface{ ErrorCode() string }
	if err == nil || !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ServiceUnavailableException" {
		t.Errorf("cross-node POST during the outage: %v, want ServiceUnavailableException", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cross-node POST during the outage took %v", d)
	}
	_ = c3.Close()

	// NATS returns; cross-node recovers and events queued meanwhile arrive.
	t.Logf("outage checks done after %v", time.Since(t0))
	ns = startNATS()
	defer ns.Shutdown()
	t.Logf("nats-server back after %v", time.Since(t0))
	deadline = time.Now().Add(15 * time.Second)
	for {
		err := post(client1, id2, "after")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cross-node POST after NATS returned: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("cross-node recovered after %v", time.Since(t0))
	if got := readText(t, c2); got != "after" {
		t.Errorf("got %q after recovery", got)
	}
	if d := g1.Bus().Dropped(); d != 0 {
		t.Errorf("%d lifecycle events dropped during a short outage", d)
	}
	// No goroutine leak: back to where we were (give timers a moment).
	deadline = time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > goroutinesBefore+10 {
		if time.Now().After(deadline) {
			t.Errorf("goroutines: %d before the outage, %d after", goroutinesBefore, runtime.NumGoroutine())
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
}
