package usage

import (
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/portico-gw/portico/config"
)

func startNATS(t testing.TB) *server.Server {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(ns.Shutdown)
	return ns
}

// joined returns a Meter joined to ns with fast intervals.
func joined(t testing.TB, ns *server.Server, snapshot time.Duration) *Meter {
	t.Helper()
	nc, err := nats.Connect(ns.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	m := NewMeter(MeterConfig{PublishInterval: 20 * time.Millisecond, SnapshotInterval: snapshot})
	if err := m.Join(nc, "test"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// seen is the count m knows of (plan, key), all nodes together.
func (m *Meter) seen(plan, key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := m.quotas[quotaKey{plan, key}]; c != nil {
		return c.total()
	}
	return 0
}

func waitSeen(t testing.TB, m *Meter, plan, key string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for m.seen(plan, key) != want {
		if time.Now().After(deadline) {
			t.Fatalf("the meter sees %d, want %d", m.seen(plan, key), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func quotaGrant(limit int) Grant {
	return Grant{KeyID: "key", Plan: &PlanStage{PlanID: "plan", Quota: &config.QuotaSettings{Limit: limit, Period: "DAY"}}}
}

func TestQuotaAcrossMeters(t *testing.T) {
	ns := startNATS(t)
	a, b := joined(t, ns, time.Hour), joined(t, ns, time.Hour)
	g := quotaGrant(5)
	now := time.Now()
	for range 3 {
		if !a.Count(g, now) {
			t.Fatal("refused under the limit")
		}
	}
	waitSeen(t, b, "plan", "key", 3)
	for i, want := range []bool{true, true, false} {
		if got := b.Count(g, now); got != want {
			t.Errorf("request %d on the second node: %v, want %v", i+1, got, want)
		}
	}
	waitSeen(t, a, "plan", "key", 5)
	if a.Count(g, now) {
		t.Error("the first node admits past the cluster's limit")
	}
}

// A node that joins late learns the counts, including those of a node
// that is gone, from the others' snapshot.
func TestLateJoinerLearnsCounts(t *testing.T) {
	ns := startNATS(t)
	a, gone := joined(t, ns, time.Hour), joined(t, ns, time.Hour)
	g := quotaGrant(10)
	now := time.Now()
	for range 4 {
		gone.Count(g, now)
	}
	a.Count(g, now)
	waitSeen(t, a, "plan", "key", 5)
	gone.Close()
	late := joined(t, ns, time.Hour) // the snapshot interval never fires: the join asks
	waitSeen(t, late, "plan", "key", 5)
}

// The periodic snapshot reaches a node that missed the changes.
func TestPeriodicSnapshot(t *testing.T) {
	ns := startNATS(t)
	a := joined(t, ns, 50*time.Millisecond)
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	sub, err := nc.SubscribeSync("test.usage.quota")
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()
	a.Count(quotaGrant(10), time.Now())
	fulls := 0
	for fulls < 2 {
		msg, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatalf("after %d snapshots: %v", fulls, err)
		}
		var qm quotaMessage
		if err := json.Unmarshal(msg.Data, &qm); err != nil {
			t.Fatal(err)
		}
		if qm.Full && len(qm.Counts) == 1 && qm.Counts[0].Count == 1 && qm.Counts[0].UsagePlanID == "plan" && qm.Counts[0].KeyID == "key" {
			fulls++
		}
	}
}

// Counts are absolute: a repeated, late or reordered message changes
// nothing, and a count for an earlier period is ignored.
func TestReceiveKeepsTheLargestCount(t *testing.T) {
	m := NewMeter(MeterConfig{})
	start := PeriodStart("DAY", 0, time.Now())
	send := func(node string, count int, at time.Time) {
		raw, _ := json.Marshal(quotaMessage{Node: node, Counts: []quotaEntry{{UsagePlanID: "plan", KeyID: "key", PeriodStart: at, Node: node, Count: count}}})
		m.receive(&nats.Msg{Data: raw})
	}
	send("n1", 7, start)
	send("n1", 7, start)
	send("n1", 3, start) // late
	send("n2", 2, start)
	send("n2", 99, start.AddDate(0, 0, -1)) // yesterday
	if got := m.seen("plan", "key"); got != 9 {
		t.Errorf("seen %d, want 9", got)
	}
	send(m.origin, 50, start) // its own count, echoed: it knows better
	if got := m.seen("plan", "key"); got != 9 {
		t.Errorf("after an echo: seen %d, want 9", got)
	}
	if !m.Count(quotaGrant(10), time.Now()) || m.Count(quotaGrant(10), time.Now()) {
		t.Error("the tenth request must pass and the eleventh not")
	}
}

// While NATS is away, counting goes on locally without waiting; counts
// made meanwhile reach the others when it returns.
func TestNATSOutage(t *testing.T) {
	ns := startNATS(t)
	port := ns.Addr().(*net.TCPAddr).Port
	a, b := joined(t, ns, time.Hour), joined(t, ns, time.Hour)
	g := quotaGrant(100)
	ns.Shutdown()
	ns.WaitForShutdown()
	start := time.Now()
	for range 10 {
		if !a.Count(g, time.Now()) {
			t.Fatal("refused during the outage")
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("counting during the outage took %v", d)
	}
	time.Sleep(100 * time.Millisecond) // a few publish ticks while away
	ns2, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns2.Start()
	defer ns2.Shutdown()
	waitSeen(t, b, "plan", "key", 10)
}

func TestJoinAfterClose(t *testing.T) {
	ns := startNATS(t)
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	m := NewMeter(MeterConfig{})
	m.Close()
	m.Close()
	if err := m.Join(nc, ""); err != ErrClosed {
		t.Errorf("Join after Close: %v, want ErrClosed", err)
	}
}
