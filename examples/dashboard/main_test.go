package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

// startGateway runs the example's config on free ports and returns the
// gateway and the URL of its exposed NATS server.
func startGateway(t testing.TB) (*portico.Server, string) {
	t.Helper()
	file, err := config.Load("portico.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	natsAddr := l.Addr().String()
	l.Close()
	file.NATS.Listen = natsAddr
	gw, err := portico.New(portico.Config{File: file, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = gw.Shutdown(ctx)
	})
	return gw, "nats://" + natsAddr
}

// startPublisher runs the example's publisher against natsURL until the test ends.
func startPublisher(t testing.TB, natsURL string, interval time.Duration) {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p := &Publisher{Conn: nc, Subject: "portico.broadcast.dashboard.live", Interval: interval,
			OnError: func(err error) { t.Error(err) }}
		_ = p.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		nc.Close()
	})
}

// TestDashboardOverNATS connects two WebSocket clients to stage "live" and
// checks that each receives the publisher's samples, in order, from NATS
// alone.
func TestDashboardOverNATS(t *testing.T) {
	gw, natsURL := startGateway(t)
	var clients []*websocket.Conn
	for range 2 {
		c, _, err := websocket.DefaultDialer.Dial("ws://"+gw.Addr().String()+"/live", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients = append(clients, c)
	}
	startPublisher(t, natsURL, 50*time.Millisecond)
	for i, c := range clients {
		var prev Sample
		for n := range 3 {
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, data, err := c.ReadMessage()
			if err != nil {
				t.Fatalf("client %d, sample %d: %v", i, n, err)
			}
			var s Sample
			if err := json.Unmarshal(data, &s); err != nil {
				t.Fatalf("client %d: %s: %v", i, data, err)
			}
			if s.Seq <= prev.Seq || s.CPU < 0 || s.CPU > 100 || s.Goroutines == 0 || s.HeapBytes == 0 {
				t.Errorf("client %d: sample %+v after %+v", i, s, prev)
			}
			prev = s
		}
	}
}

// TestDashboardHTTPCallbackVariant checks the README's HTTP variant: a
// SigV4-signed POST to {callbackBase}/@broadcast reaches the page's clients.
func TestDashboardHTTPCallbackVariant(t *testing.T) {
	gw, _ := startGateway(t)
	base := "http://" + gw.Addr().String() + "/live"
	c, _, err := websocket.DefaultDialer.Dial("ws://"+gw.Addr().String()+"/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	body := []byte(`{"seq":1,"cpu":12.5}`)
	req, _ := http.NewRequest(http.MethodPost, base+"/@broadcast", bytes.NewReader(body))
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "AKIDPORTICODASH", SecretAccessKey: "portico-dashboard-example-secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST @broadcast: %s", resp.Status)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := c.ReadMessage()
	if err != nil || !bytes.Equal(data, body) {
		t.Fatalf("client got %q, %v; want %q", data, err, body)
	}
}
