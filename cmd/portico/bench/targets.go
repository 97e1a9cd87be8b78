package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/connections"
)

// Target is a server under measurement: the gateway or the bare baseline.
type Target struct {
	Name string
	// WSURL is where clients connect.
	WSURL string
	// OtherStageWSURL, for the gateway, is where clients of a second stage
	// of the same API connect.
	OtherStageWSURL string
	// WSURLs, for a cluster, lists every node's WSURL.
	WSURLs []string
	// IDs lists the open connections' IDs.
	IDs func() []string
	// NewPoster returns a function that POSTs data to one connection, as
	// the scenario's client would (SigV4 for the gateway).
	NewPoster func() func(ctx context.Context, id string, data []byte) error
	// Broadcast sends data to every connection.
	Broadcast func(ctx context.Context, data []byte) error
	// PublishBroadcast, for the gateway, publishes data on the stage's NATS
	// broadcast subject, as a backend connected to NATS does.
	PublishBroadcast func(data []byte) error
	// NewExchanger, for two-way scenarios, opens one client that sends a
	// message and waits for the answer; close releases it.
	NewExchanger func() (ex Exchange, close func(), err error)
	// Disconnects, when set, streams the IDs of connections whose
	// $disconnect has run (the gateway's NATS disconnect events) until stop
	// is called.
	Disconnects func() (ids <-chan string, stop func())
	// AuthorizerCalls, when set, counts the invocations of the side's
	// Lambda authorizer.
	AuthorizerCalls *atomic.Int64
	// Close stops the server.
	Close func()
}

// StatusError is a POST that the server answered with a non-2xx status.
type StatusError struct {
	Path string
	Code int
}

func (e *StatusError) Error() string { return fmt.Sprintf("%s: status %d", e.Path, e.Code) }

const (
	benchAccessKey = "AKIDBENCH"
	benchSecret    = "portico-bench-secret"
)

// gatewayConfig is one WebSocket API whose only route is a one-way MOCK,
// with two stages: b, where the scenarios' clients connect, and o, which
// holds broadcast-stage's other connections. maxConnections is set as an
// operator would for capacity's 19,000 connections in one process: the cap
// derived from this machine's 20,000 descriptors keeps a 10% reserve
// (18,000), and the bench needs few descriptors besides its sockets.
const gatewayConfig = `
maxConnections: 19600
credentials:
  - accessKeyId: AKIDBENCH
    secretAccessKey: portico-bench-secret
apis:
  - apiId: bench
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: mock
        integrationType: MOCK
    routes:
      - routeKey: $default
        target: integrations/mock
    stages:
      - stageName: b
      - stageName: o
    limits:
      idleTimeout: 0
      maxConnectionDuration: 0
`

// StartGateway runs a Portico node in this process on 127.0.0.1.
func StartGateway() (*Target, error) {
	srv, err := startNode(gatewayConfig)
	if err != nil {
		return nil, err
	}
	return gatewayTarget("gateway", srv, srv), nil
}

// StartRemotePair runs two clustered Portico nodes: clients connect to the
// first, @connections calls go through the second, so every POST crosses
// NATS to the owning node.
func StartRemotePair() (*Target, error) {
	pa, pb, err := freePorts()
	if err != nil {
		return nil, err
	}
	cluster := func(own, other int) string {
		return fmt.Sprintf("nats:\n  cluster:\n    name: bench\n    listen: 127.0.0.1:%d\n    routes: [nats-route://127.0.0.1:%d]\n", own, other)
	}
	a, err := startNode(gatewayConfig + cluster(pa, pb))
	if err != nil {
		return nil, err
	}
	b, err := startNode(gatewayConfig + cluster(pb, pa))
	if err != nil {
		stop(a)
		return nil, err
	}
	// Wait until node b sees node a's subscription.
	ready := waitFor(func() bool {
		_, err := b.Bus().Remote(context.Background(), a.NodeID(), connections.Op{Method: http.MethodGet, ConnectionID: a.NodeID() + "AAAAAAAAAAA="})
		return err == nil
	}, 20*time.Second)
	if !ready {
		stop(a)
		stop(b)
		return nil, fmt.Errorf("the two bench nodes did not cluster")
	}
	t := gatewayTarget("remote", a, b)
	t.Close = func() { stop(b); stop(a) }
	return t, nil
}

func freePorts() (int, int, error) {
	var ports [2]int
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, 0, err
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	return ports[0], ports[1], nil
}

// startNode runs a node with the YAML config cfg.
func startNode(cfg string) (*portico.Server, error) {
	f, err := config.Parse("bench.yaml", []byte(cfg))
	if err != nil {
		return nil, err
	}
	srv, err := portico.New(portico.Config{File: f, Listen: "127.0.0.1:0"})
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	return srv, nil
}

func stop(srv *portico.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}

// gatewayTarget measures clients on wsSrv and management calls to apiSrv.
func gatewayTarget(name string, wsSrv, apiSrv *portico.Server) *Target {
	base := "http://" + apiSrv.Addr().String() + "/b"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	signer := &leanSigner{accessKey: benchAccessKey, secret: benchSecret, region: "us-east-1"}
	signedPost := func(ctx context.Context, url string, data []byte) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
		if err != nil {
			return err
		}
		signer.sign(req, data, time.Now())
		return do(client, req)
	}
	return &Target{
		Name:            name,
		WSURL:           "ws://" + wsSrv.Addr().String() + "/b",
		OtherStageWSURL: "ws://" + wsSrv.Addr().String() + "/o",
		IDs: func() []string {
			var ids []string
			for _, c := range wsSrv.Registry().Snapshot() {
				ids = append(ids, c.ID())
			}
			return ids
		},
		NewPoster: func() func(context.Context, string, []byte) error {
			return func(ctx context.Context, id string, data []byte) error {
				return signedPost(ctx, base+"/@connections/"+strings.ReplaceAll(id, "=", "%3D"), data)
			}
		},
		Broadcast: func(ctx context.Context, data []byte) error {
			return signedPost(ctx, base+"/@broadcast", data)
		},
		PublishBroadcast: func(data []byte) error {
			return wsSrv.Bus().NATS().Publish("portico.broadcast.bench.b", data)
		},
		Disconnects: func() (<-chan string, func()) {
			ch := make(chan string, 4096)
			sub, err := wsSrv.Bus().NATS().Subscribe("portico.events.bench.b.disconnect", func(m *nats.Msg) {
				var ev connections.DisconnectEvent
				if json.Unmarshal(m.Data, &ev) == nil {
					select {
					case ch <- ev.ConnectionID:
					default:
					}
				}
			})
			if err != nil {
				close(ch)
				return ch, func() {}
			}
			_ = wsSrv.Bus().NATS().Flush()
			return ch, func() { _ = sub.Unsubscribe() }
		},
		Close: func() { stop(wsSrv) },
	}
}

func do(client *http.Client, req *http.Request) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	var buf [512]byte
	for {
		if _, err := resp.Body.Read(buf[:]); err != nil {
			break
		}
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return &StatusError{Path: req.URL.Path, Code: resp.StatusCode}
	}
	return nil
}

// baseline is the lean gorilla server of reference performance.md §4.3:
// small read buffer, pooled write buffers, one reader goroutine per
// connection returned from the handler, a per-connection write mutex,
// PreparedMessage broadcast, and POST /post/{id} writing straight to the
// connection.
type baseline struct {
	upgrader websocket.Upgrader
	next     atomic.Int64
	mu       sync.RWMutex
	conns    map[string]*baseConn
}

type baseConn struct {
	mu sync.Mutex
	ws *websocket.Conn
}

func (c *baseConn) write(mt int, data []byte, pm *websocket.PreparedMessage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(time.Second))
	if pm != nil {
		return c.ws.WritePreparedMessage(pm)
	}
	return c.ws.WriteMessage(mt, data)
}

// StartBaseline runs the bare baseline in this process.
func StartBaseline() (*Target, error) {
	b := &baseline{conns: make(map[string]*baseConn)}
	b.upgrader = websocket.Upgrader{ReadBufferSize: 256, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /b", func(w http.ResponseWriter, r *http.Request) {
		ws, err := b.upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		id := strconv.FormatInt(b.next.Add(1), 10)
		c := &baseConn{ws: ws}
		b.mu.Lock()
		b.conns[id] = c
		b.mu.Unlock()
		go func() {
			defer func() {
				b.mu.Lock()
				delete(b.conns, id)
				b.mu.Unlock()
				ws.Close()
			}()
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		}()
	})
	mux.HandleFunc("POST /post/{id}", func(w http.ResponseWriter, r *http.Request) {
		data, err := readAll(r)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		b.mu.RLock()
		c := b.conns[r.PathValue("id")]
		b.mu.RUnlock()
		if c == nil {
			http.Error(w, "gone", http.StatusGone)
			return
		}
		if err := c.write(websocket.TextMessage, data, nil); err != nil {
			http.Error(w, "gone", http.StatusGone)
		}
	})
	mux.HandleFunc("POST /broadcast", func(w http.ResponseWriter, r *http.Request) {
		data, err := readAll(r)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, data)
		b.mu.RLock()
		all := make([]*baseConn, 0, len(b.conns))
		for _, c := range b.conns {
			all = append(all, c)
		}
		b.mu.RUnlock()
		for _, c := range all {
			_ = c.write(0, nil, pm)
		}
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(l) }()
	addr := l.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	post := func(ctx context.Context, url string, data []byte) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
		if err != nil {
			return err
		}
		return do(client, req)
	}
	return &Target{
		Name:  "baseline",
		WSURL: "ws://" + addr + "/b",
		IDs: func() []string {
			b.mu.RLock()
			defer b.mu.RUnlock()
			ids := make([]string, 0, len(b.conns))
			for id := range b.conns {
				ids = append(ids, id)
			}
			return ids
		},
		NewPoster: func() func(context.Context, string, []byte) error {
			return func(ctx context.Context, id string, data []byte) error {
				return post(ctx, "http://"+addr+"/post/"+id, data)
			}
		},
		Broadcast: func(ctx context.Context, data []byte) error { return post(ctx, "http://"+addr+"/broadcast", data) },
		Close: func() {
			_ = srv.Close()
			b.mu.Lock()
			for _, c := range b.conns {
				c.ws.Close()
			}
			b.mu.Unlock()
		},
	}, nil
}

func readAll(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, 1<<20))
	return buf.Bytes(), err
}
