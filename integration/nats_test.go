package integration

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

func inProcessNATS(t *testing.T) *nats.Conn {
	t.Helper()
	ns, err := server.NewServer(&server.Options{DontListen: true, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	nc, err := nats.Connect("", nats.InProcessServer(ns))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close(); ns.Shutdown() })
	return nc
}

func TestNATSIntegration(t *testing.T) {
	nc := inProcessNATS(t)
	env := Env{NATS: func() *nats.Conn { return nc }}
	_, _ = nc.Subscribe("svc.ok", func(m *nats.Msg) { _ = m.Respond([]byte(`{"statusCode":201,"body":"hi"}`)) })
	_, _ = nc.Subscribe("svc.fail", func(m *nats.Msg) {
		r := nats.NewMsg(m.Reply)
		r.Header.Set("Function-Error", "Unhandled")
		r.Data = []byte(`{"errorMessage":"boom"}`)
		_ = m.RespondMsg(r)
	})
	_, _ = nc.Subscribe("svc.garbage", func(m *nats.Msg) { _ = m.Respond([]byte(`nope`)) })
	_, _ = nc.Subscribe("svc.slow", func(m *nats.Msg) { time.Sleep(300 * time.Millisecond); _ = m.Respond(nil) })
	published, _ := nc.SubscribeSync("svc.log")
	_ = nc.Flush()
	ctx := context.Background()
	invoke := func(uri string, timeout time.Duration) (*Response, error) {
		t.Helper()
		inv, err := New(Spec{Type: "NATS", URI: uri, Timeout: timeout}, env)
		if err != nil {
			t.Fatalf("New(%s): %v", uri, err)
		}
		return inv.Invoke(ctx, &Request{Event: []byte(`{"requestContext":{}}`)})
	}
	if r, err := invoke("nats:svc.ok", 0); err != nil || r.StatusCode != 201 || string(r.Body) != "hi" {
		t.Errorf("request: %v %+v", err, r)
	}
	var fe *FunctionError
	if _, err := invoke("nats:svc.fail", 0); !errors.As(err, &fe) || fe.Type != "Unhandled" {
		t.Errorf("Function-Error: %v", err)
	}
	var mal *MalformedResponseError
	if _, err := invoke("nats:svc.garbage", 0); !errors.As(err, &mal) {
		t.Errorf("garbage: %v", err)
	}
	if _, err := invoke("nats:svc.slow", 100*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Errorf("slow: %v, want ErrTimeout", err)
	}
	start := time.Now()
	if _, err := invoke("nats:nobody.here", 0); err == nil || !errors.Is(err, nats.ErrNoResponders) || time.Since(start) > time.Second {
		t.Errorf("no responders: %v after %v", err, time.Since(start))
	}
	if r, err := invoke("nats:svc.log?mode=publish", 0); err != nil || r.StatusCode != 200 {
		t.Errorf("publish: %v %+v", err, r)
	}
	if m, err := published.NextMsg(time.Second); err != nil || string(m.Data) != `{"requestContext":{}}` {
		t.Errorf("published event: %v %v", err, m)
	}
	for _, bad := range []string{"svc.ok", "nats:", "nats:a.*", "nats:a..b", "nats:a?mode=x", "nats:a?x=1"} {
		if _, err := New(Spec{Type: "NATS", URI: bad}, env); err == nil {
			t.Errorf("New accepted %q", bad)
		}
	}
	if _, err := New(Spec{Type: "NATS", URI: "nats:a"}, Env{}); err == nil {
		t.Error("New accepted a NATS integration without a connection")
	}
}
