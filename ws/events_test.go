package ws_test

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

var awsIDPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]{14}=$`)

// assertKeys checks that m has exactly the keys want.
func assertKeys(t testing.TB, what string, m map[string]any, want ...string) {
	t.Helper()
	if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("%s keys = %v, want %v", what, got, slices.Sorted(slices.Values(want)))
	}
}

var contextKeys = []string{"routeKey", "eventType", "extendedRequestId", "requestTime", "messageDirection",
	"stage", "connectedAt", "requestTimeEpoch", "identity", "requestId", "domainName", "connectionId", "apiId"}

func TestEventsMatchAWS(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, ""))

	// A non-canonical spelling must reach the event as the client wrote it.
	hdr := http.Header{"User-Agent": {"portico-test/1.0"}, "x-custom-Header": {"v1"}}
	c := dial(t, gw.WS+"/dev?token=abc&token=def&x=1", hdr)

	conn := b.next(t, "CONNECT")
	t.Run("CONNECT", func(t *testing.T) {
		m := conn.Map
		assertKeys(t, "CONNECT event", m, "headers", "multiValueHeaders", "queryStringParameters",
			"multiValueQueryStringParameters", "stageVariables", "requestContext", "isBase64Encoded")
		rc := m["requestContext"].(map[string]any)
		assertKeys(t, "CONNECT requestContext", rc, contextKeys...)
		ev := conn.Ev
		if ev.RequestContext.RouteKey != "$connect" || ev.RequestContext.EventType != "CONNECT" {
			t.Errorf("routeKey/eventType = %q/%q", ev.RequestContext.RouteKey, ev.RequestContext.EventType)
		}
		if ev.RequestContext.MessageDirection != "IN" || ev.RequestContext.Stage != "dev" || ev.RequestContext.APIID != "chatapi001" {
			t.Errorf("context = %+v", ev.RequestContext)
		}
		if ev.RequestContext.DomainName != gw.Host || ev.Headers["Host"] != gw.Host {
			t.Errorf("domainName %q, Host %q; want %q", ev.RequestContext.DomainName, ev.Headers["Host"], gw.Host)
		}
		for _, h := range []string{"Sec-WebSocket-Key", "Sec-WebSocket-Version", "X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "User-Agent"} {
			if ev.Headers[h] == "" || len(ev.MultiValueHeaders[h]) == 0 {
				t.Errorf("header %s missing: %v", h, ev.Headers)
			}
		}
		if ev.Headers["x-custom-Header"] != "v1" || len(ev.MultiValueHeaders["x-custom-Header"]) != 1 {
			t.Errorf("client header spelling lost: %v", ev.Headers)
		}
		for _, h := range []string{"Connection", "Upgrade"} {
			if _, ok := ev.Headers[h]; ok {
				t.Errorf("hop-by-hop header %s is in the CONNECT event", h)
			}
		}
		if ev.Headers["X-Forwarded-For"] != "127.0.0.1" || ev.Headers["X-Forwarded-Proto"] != "http" {
			t.Errorf("X-Forwarded-* = %q %q", ev.Headers["X-Forwarded-For"], ev.Headers["X-Forwarded-Proto"])
		}
		if ev.QueryStringParameters["token"] != "def" || strings.Join(ev.MultiValueQueryStringParameters["token"], ",") != "abc,def" {
			t.Errorf("query = %v / %v", ev.QueryStringParameters, ev.MultiValueQueryStringParameters)
		}
		if ev.StageVariables["color"] != "blue" {
			t.Errorf("stageVariables = %v", ev.StageVariables)
		}
		id := rc["identity"].(map[string]any)
		assertKeys(t, "identity", id, "sourceIp", "userAgent")
		if id["sourceIp"] != "127.0.0.1" || id["userAgent"] != "portico-test/1.0" {
			t.Errorf("identity = %v", id)
		}
		checkIDsAndTimes(t, ev.RequestContext.RequestID, ev.RequestContext.ExtendedRequestID, ev.RequestContext.ConnectionID,
			ev.RequestContext.RequestTime, ev.RequestContext.RequestTimeEpoch, ev.RequestContext.ConnectedAt)
		if _, ok := m["body"]; ok {
			t.Error("CONNECT has a body key")
		}
	})

	if err := c.WriteMessage(websocket.TextMessage, []byte("{\r\n\t\"action\": \"sendmessage\", \"data\": \"hi\"\r\n}")); err != nil {
		t.Fatal(err)
	}
	msg := b.next(t, "MESSAGE")
	t.Run("MESSAGE", func(t *testing.T) {
		m := msg.Map
		assertKeys(t, "MESSAGE event", m, "stageVariables", "requestContext", "body", "isBase64Encoded")
		rc := m["requestContext"].(map[string]any)
		assertKeys(t, "MESSAGE requestContext", rc, append(contextKeys, "messageId")...)
		ev := msg.Ev
		if ev.Body != "{\r\n\t\"action\": \"sendmessage\", \"data\": \"hi\"\r\n}" || ev.IsBase64Encoded {
			t.Errorf("body = %q", ev.Body)
		}
		if ev.RequestContext.RouteKey != "sendmessage" {
			t.Errorf("routeKey = %q", ev.RequestContext.RouteKey)
		}
		mid, _ := ev.RequestContext.MessageID.(string)
		if !awsIDPattern.MatchString(mid) {
			t.Errorf("messageId = %v", ev.RequestContext.MessageID)
		}
		if ev.RequestContext.ConnectionID != conn.Ev.RequestContext.ConnectionID || ev.RequestContext.ConnectedAt != conn.Ev.RequestContext.ConnectedAt {
			t.Error("connectionId/connectedAt differ from CONNECT")
		}
		if ev.RequestContext.RequestID == conn.Ev.RequestContext.RequestID {
			t.Error("request ID reused across events")
		}
		checkIDsAndTimes(t, ev.RequestContext.RequestID, ev.RequestContext.ExtendedRequestID, ev.RequestContext.ConnectionID,
			ev.RequestContext.RequestTime, ev.RequestContext.RequestTimeEpoch, ev.RequestContext.ConnectedAt)
	})

	_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4001, "bye now"), time.Now().Add(time.Second))
	disc := b.next(t, "DISCONNECT")
	t.Run("DISCONNECT", func(t *testing.T) {
		m := disc.Map
		assertKeys(t, "DISCONNECT event", m, "headers", "multiValueHeaders", "stageVariables", "requestContext", "isBase64Encoded")
		rc := m["requestContext"].(map[string]any)
		assertKeys(t, "DISCONNECT requestContext", rc, append(contextKeys, "disconnectStatusCode", "disconnectReason")...)
		ev := disc.Ev
		want := map[string]string{"Host": gw.Host, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
		if len(ev.Headers) != len(want) {
			t.Errorf("DISCONNECT headers = %v", ev.Headers)
		}
		for k, v := range want {
			if got, ok := ev.Headers[k]; !ok || got != v || len(ev.MultiValueHeaders[k]) != 1 || ev.MultiValueHeaders[k][0] != v {
				t.Errorf("DISCONNECT header %s = %q (%v), want %q", k, got, ok, v)
			}
		}
		if ev.RequestContext.DisconnectStatusCode != 4001 || ev.RequestContext.DisconnectReason == nil || *ev.RequestContext.DisconnectReason != "bye now" {
			t.Errorf("disconnect = %d %v", ev.RequestContext.DisconnectStatusCode, ev.RequestContext.DisconnectReason)
		}
	})
}

func checkIDsAndTimes(t testing.TB, requestID, extended, connectionID, requestTime string, epoch, connectedAt int64) {
	t.Helper()
	if requestID != extended {
		t.Errorf("requestId %q != extendedRequestId %q", requestID, extended)
	}
	for _, id := range []string{requestID, connectionID} {
		if !awsIDPattern.MatchString(id) {
			t.Errorf("ID %q is not 16 chars of base64 ending in '='", id)
		}
	}
	rt, err := time.Parse("02/Jan/2006:15:04:05 -0700", requestTime)
	if err != nil || !strings.HasSuffix(requestTime, " +0000") {
		t.Errorf("requestTime %q: %v", requestTime, err)
	}
	if d := time.UnixMilli(epoch).Sub(rt); d < 0 || d >= time.Second {
		t.Errorf("requestTimeEpoch %d does not match requestTime %q", epoch, requestTime)
	}
	if epoch < connectedAt || time.Since(time.UnixMilli(connectedAt)) > time.Minute {
		t.Errorf("connectedAt %d, requestTimeEpoch %d", connectedAt, epoch)
	}
}

func TestConnectWithoutQueryHasNoQueryKeysAndNoUserAgent(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, ""))
	d := websocket.Dialer{}
	c, _, err := d.Dial(gw.WS+"/dev", http.Header{"User-Agent": {""}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ev := b.next(t, "CONNECT")
	if _, ok := ev.Map["queryStringParameters"]; ok {
		t.Error("queryStringParameters present without a query string")
	}
	if _, ok := ev.Map["multiValueQueryStringParameters"]; ok {
		t.Error("multiValueQueryStringParameters present without a query string")
	}
	id := ev.Map["requestContext"].(map[string]any)["identity"].(map[string]any)
	assertKeys(t, "identity without User-Agent", id, "sourceIp")
}
