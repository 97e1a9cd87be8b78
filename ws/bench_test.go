package ws

import (
	"testing"
	"time"
	"unique"

	"github.com/portico-gw/portico/connections"
	"github.com/portico-gw/portico/routing"
)

// BenchmarkMessageEvent measures building one MESSAGE event, the JSON sent
// to the integration for every client message.
func BenchmarkMessageEvent(b *testing.B) {
	srv, err := NewServer(Config{Registry: connections.NewRegistry(), NodeID: "AAAA"})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.wheel.Stop()
	expr, _ := routing.ParseSelectionExpression("$request.body.action")
	api, err := srv.NewAPI(APIConfig{APIID: "bench", RouteSelection: expr, Stages: []Stage{{Name: "dev"}}})
	if err != nil {
		b.Fatal(err)
	}
	c := &conn{api: api, id: "AAAAxc2VNjMCFIA=", stage: api.table.Load().stages["dev"], connectedAt: time.Now().UnixNano(),
		sourceIP: "127.0.0.1", userAgent: unique.Make("bench/1.0"), domainName: unique.Make("localhost:8080")}
	body := []byte(`{"action":"sendmessage","data":"hello world"}`)
	b.ReportAllocs()
	for b.Loop() {
		_ = c.messageEvent("sendmessage", "R1knPH17NjMFftw=", body)
	}
}

// BenchmarkErrorFrame measures the Forbidden frame.
func BenchmarkErrorFrame(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = errorFrame(msgForbidden, "R1kmxc2VNjMCFIA=", "R1knPH17NjMFftw=")
	}
}
