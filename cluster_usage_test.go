package portico_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/portico-gw/portico"
)

// clusterQuotaKey is the key of TestClusterQuota's plan.
const clusterQuotaKey = "cluster-quota-key-0123456789"

// clusterQuotaConfig is a REST API whose GET /pets (a MOCK) requires an
// API key in a plan with a quota of limit requests a day.
func clusterQuotaConfig(limit int) string {
	return `restApis:
  - restApiId: quota00001
    name: quota
    resources:
      /pets:
        resourceMethods:
          GET:
            apiKeyRequired: true
            methodResponses: {"200": {}}
            methodIntegration:
              type: MOCK
              requestTemplates: {application/json: '{"statusCode": 200}'}
              integrationResponses: {"200": {statusCode: "200"}}
    stages:
      - stageName: prod
apiKeys:
  - {id: k, value: ` + clusterQuotaKey + `}
usagePlans:
  - id: plan
    apiStages: [{apiId: quota00001, stage: prod}]
    quota: {limit: ` + strconv.Itoa(limit) + `, period: DAY}
usagePlanKeys:
  - {usagePlanId: plan, keyId: k}
`
}

// TestClusterQuota measures the best-effort cluster quota (package
// usage): three nodes share a quota of 200 over NATS while one client
// sends requests round-robin at a steady ~100/s. The stated bound: once
// the cluster's count reaches the limit, every node knows within one
// publish interval (100ms) plus the NATS latency, so no request is
// admitted later than that, and the overshoot is at most the requests
// sent in that window. The latency allowance is generous (600ms) so that
// the test holds on a slow, shared machine under -race; the numbers are
// logged. A node that joins later learns the counts and refuses at once.
func TestClusterQuota(t *testing.T) {
	const (
		limit    = 200
		interval = 10 * time.Millisecond          // one request every 10ms: ~100/s, round-robin
		publish  = 100 * time.Millisecond         // usage.MeterConfig's default PublishInterval
		latency  = 600 * time.Millisecond         // allowance for NATS latency and a loaded machine
		window   = publish + latency              // the bound's window
		total    = limit + 120                    // requests sent
		exceeded = `{"message":"Limit Exceeded"}` // QUOTA_EXCEEDED
	)
	yaml := clusterQuotaConfig(limit)
	nodes := startClusterYAML(t, 3, yaml)
	time.Sleep(300 * time.Millisecond) // the usage subscriptions' interest crosses the routes

	get := func(n node) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", n.URL+"/prod/pets", nil)
		req.Header.Set("X-Api-Key", clusterQuotaKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	type result struct {
		sent time.Time
		ok   bool
	}
	results := make([]result, 0, total)
	perNode := make([]int, len(nodes))
	next := time.Now()
	for i := range total {
		time.Sleep(time.Until(next))
		next = next.Add(interval)
		sent := time.Now()
		status, body := get(nodes[i%len(nodes)])
		switch {
		case status == 200:
			perNode[i%len(nodes)]++
		case status != 429 || body != exceeded:
			t.Fatalf("request %d: %d %q", i+1, status, body)
		}
		results = append(results, result{sent, status == 200})
	}
	admitted, limitAt := 0, time.Time{}
	for _, r := range results {
		if r.ok {
			admitted++
			if admitted == limit {
				limitAt = r.sent
			}
		}
	}
	if admitted < limit {
		t.Fatalf("%d admitted of %d sent, want at least the limit %d: the scheme must never under-admit", admitted, total, limit)
	}
	inWindow, late := 0, 0
	for _, r := range results {
		switch {
		case !r.sent.After(limitAt):
		case r.sent.Sub(limitAt) <= window:
			inWindow++
		case r.ok:
			late++
		}
	}
	elapsed := results[len(results)-1].sent.Sub(results[0].sent)
	t.Logf("limit %d, %d sent in %v (%.0f/s) round-robin over 3 nodes: %d admitted (%v per node), overshoot %d; %d requests sent within %v after the limit was reached",
		limit, total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), admitted, perNode, admitted-limit, inWindow, window)
	if late > 0 {
		t.Errorf("%d requests admitted more than %v after the cluster reached the limit", late, window)
	}
	if admitted-limit > inWindow {
		t.Errorf("overshoot %d, more than the %d requests sent within %v after the limit was reached", admitted-limit, inWindow, window)
	}

	// Every node now refuses.
	time.Sleep(window)
	for i, n := range nodes {
		if status, body := get(n); status != 429 || body != exceeded {
			t.Errorf("node %d afterwards: %d %q", i, status, body)
		}
	}

	// A node that joins late learns the counts before it serves the key:
	// watch the subject on its NATS server for a snapshot that carries
	// them all, then ask it.
	peers := make([]int, len(nodes))
	for i, n := range nodes {
		peers[i] = n.routePort
	}
	late4 := startClusterNode(t, yaml, freePort(t), peers)
	waitCluster(t, append(nodes, late4))
	nc := natsClient(t, late4.natsURL)
	sub, err := nc.SubscribeSync("portico.usage.quota")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second) // the 5s snapshot, or the answer to the new node's sync
	for {
		msg, err := sub.NextMsg(time.Until(deadline))
		if err != nil {
			t.Fatalf("no snapshot with every count reached the late node: %v", err)
		}
		var m struct {
			Full   bool
			Counts []struct{ Count int }
		}
		if err := json.Unmarshal(msg.Data, &m); err != nil {
			t.Fatalf("%s: %v", msg.Data, err)
		}
		sum := 0
		for _, c := range m.Counts {
			sum += c.Count
		}
		if m.Full && sum >= admitted {
			break
		}
	}
	time.Sleep(50 * time.Millisecond) // the late node's own subscription handles it
	if status, body := get(late4); status != 429 || body != exceeded {
		t.Errorf("the late node: %d %q, want 429 %s", status, body, exceeded)
	}
}

// syncBuffer is a log destination that tests read while the server
// writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestQuotaDuringNATSOutage: while NATS is away, quota requests are
// answered at once, counted locally against the limit, and the outage is
// logged once.
func TestQuotaDuringNATSOutage(t *testing.T) {
	port := freePort(t)
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	var logs syncBuffer
	gw := startGateway(t, clusterQuotaConfig(5)+fmt.Sprintf("nats:\n  url: nats://127.0.0.1:%d\n", port), func(c *portico.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	ns.Shutdown()
	ns.WaitForShutdown()
	deadline := time.Now().Add(10 * time.Second)
	for gw.Bus().Connected() {
		if time.Now().After(deadline) {
			t.Fatal("the gateway did not notice the outage")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, want := range []int{200, 200, 200, 200, 200, 429, 429} {
		start := time.Now()
		req, _ := http.NewRequest("GET", gw.URL+"/prod/pets", nil)
		req.Header.Set("X-Api-Key", clusterQuotaKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("request %d during the outage: %d, want %d", i+1, resp.StatusCode, want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("request %d during the outage took %v", i+1, d)
		}
	}
	time.Sleep(300 * time.Millisecond) // a few publish ticks
	if n := strings.Count(logs.String(), "NATS is away: usage-plan quotas"); n != 1 {
		t.Errorf("the outage is logged %d times, want once:\n%s", n, logs.String())
	}
}
