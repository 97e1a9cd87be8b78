package connections

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"
)

// BusConfig configures a node's cluster traffic.
type BusConfig struct {
	// Conn is the node's NATS connection. Required.
	Conn *nats.Conn
	// NodeID is this node's ID, the first characters of its connection IDs.
	NodeID string
	// Prefix starts every subject. Zero means "portico".
	Prefix string
	// Registry holds this node's connections. Required. Operations that
	// other nodes route here run on it as Management runs local ones.
	Registry *Registry
	// RequestTimeout bounds node-to-node requests. Zero means 5s.
	RequestTimeout time.Duration
	// ListWait is how long a connection listing waits for more nodes after
	// the last answer. Zero means 150ms.
	ListWait time.Duration
	// Logger receives bus problems. Nil means discard.
	Logger *slog.Logger
}

// Bus carries a node's cluster traffic over NATS, with three wildcard
// subscriptions whatever the number of connections:
//
//	{prefix}.node.{nodeId}.>      operations on this node's connections
//	                              (.op: @connections calls routed from other
//	                              nodes; .send.{connectionId}: raw bytes)
//	{prefix}.broadcast.>          {prefix}.broadcast.{apiId}.{stage}: raw bytes
//	                              to every connection of the stage
//	{prefix}.list.>               connection listings, answered per node
//
// and it publishes lifecycle events on {prefix}.events.{apiId}.{stage}.connect
// and .disconnect.
type Bus struct {
	nc       *nats.Conn
	node     string
	prefix   string
	reg      *Registry
	timeout  time.Duration
	listWait time.Duration
	log      *slog.Logger
	subs     []*nats.Subscription

	dropped atomic.Int64 // events that could not be published
}

// Op is a management operation on one connection, carried between nodes.
type Op struct {
	Method       string // POST, GET or DELETE
	ConnectionID string
	APIID, Stage string
	Body         []byte
}

// Result is a management API response, the same whichever node made it.
type Result struct {
	Status      int
	ErrorType   string // x-amzn-ErrorType; empty on success
	ContentType string
	Body        []byte
}

// NewBus subscribes the node's wildcard subjects.
func NewBus(cfg BusConfig) (*Bus, error) {
	if cfg.Conn == nil || cfg.Registry == nil || cfg.NodeID == "" {
		return nil, errors.New("connections: BusConfig.Conn, Registry and NodeID are required")
	}
	b := &Bus{
		nc:       cfg.Conn,
		node:     cfg.NodeID,
		prefix:   cfg.Prefix,
		reg:      cfg.Registry,
		timeout:  cfg.RequestTimeout,
		listWait: cfg.ListWait,
		log:      cfg.Logger,
	}
	if b.prefix == "" {
		b.prefix = "portico"
	}
	if b.timeout <= 0 {
		b.timeout = 5 * time.Second
	}
	if b.listWait <= 0 {
		b.listWait = 150 * time.Millisecond
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	for subject, handler := range map[string]nats.MsgHandler{
		b.nodeSubject(b.node) + ".>": b.onNode,
		b.prefix + ".broadcast.>":    b.onBroadcast,
		b.prefix + ".list.>":         b.onList,
	} {
		sub, err := b.nc.Subscribe(subject, handler)
		if err != nil {
			b.Close()
			return nil, err
		}
		b.subs = append(b.subs, sub)
	}
	if err := b.nc.Flush(); err != nil && b.nc.IsConnected() {
		b.log.Warn("NATS flush after subscribing", "error", err)
	}
	return b, nil
}

// Close removes the subscriptions. The NATS connection stays open.
func (b *Bus) Close() {
	for _, s := range b.subs {
		_ = s.Unsubscribe()
	}
	b.subs = nil
}

// NodeInUse reports whether another node already answers for nodeID.
func NodeInUse(nc *nats.Conn, prefix, nodeID string) bool {
	if prefix == "" {
		prefix = "portico"
	}
	_, err := nc.Request(prefix+".node."+nodeID+".ping", nil, 500*time.Millisecond)
	return err == nil
}

// NATS is the node's NATS connection, for embedders that subscribe to the
// lifecycle events in process.
func (b *Bus) NATS() *nats.Conn { return b.nc }

// Connected reports whether NATS is reachable right now.
func (b *Bus) Connected() bool { return b.nc.IsConnected() }

// Dropped returns how many lifecycle events could not be published (the
// bounded reconnect buffer was full).
func (b *Bus) Dropped() int64 { return b.dropped.Load() }

func (b *Bus) nodeSubject(node string) string { return b.prefix + ".node." + node }

// SendSubject is where raw bytes for connectionID are published.
func (b *Bus) SendSubject(connectionID string) string {
	return b.nodeSubject(b.node) + ".send." + connectionID
}

// Wire headers of node-to-node operations.
const (
	hdrMethod     = "Portico-Method"
	hdrConnection = "Portico-Connection-Id"
	hdrAPI        = "Portico-Api-Id"
	hdrStage      = "Portico-Stage"
	hdrStatus     = "Portico-Status"
	hdrErrorType  = "Portico-Error-Type"
	hdrOrigin     = "Portico-Origin"
)

// Errors of remote operations.
var (
	// ErrBusDown is returned when NATS is unreachable.
	ErrBusDown = errors.New("connections: NATS is unavailable")
	// ErrNodeGone is returned when no node answers for a node ID.
	ErrNodeGone = errors.New("connections: node gone")
)

// Remote runs op on the node that owns the connection.
func (b *Bus) Remote(ctx context.Context, node string, op Op) (Result, error) {
	if !b.nc.IsConnected() {
		return Result{}, ErrBusDown
	}
	// One array backs the four header values: Header.Set allocates a
	// slice for each, on every forwarded call.
	v := [...]string{op.Method, op.ConnectionID, op.APIID, op.Stage}
	msg := &nats.Msg{
		Subject: b.nodeSubject(node) + ".op",
		Header: nats.Header{
			hdrMethod:     v[0:1:1],
			hdrConnection: v[1:2:2],
			hdrAPI:        v[2:3:3],
			hdrStage:      v[3:4:4],
		},
		Data: op.Body,
	}
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	reply, err := b.nc.RequestMsgWithContext(ctx, msg)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return Result{}, ErrNodeGone
	case err != nil:
		return Result{}, errors.Join(ErrBusDown, err)
	}
	status, _ := strconv.Atoi(reply.Header.Get(hdrStatus))
	if status == 0 {
		return Result{}, errors.Join(ErrBusDown, errors.New("malformed reply from node "+node))
	}
	return Result{
		Status:      status,
		ErrorType:   reply.Header.Get(hdrErrorType),
		ContentType: reply.Header.Get("Content-Type"),
		Body:        reply.Data,
	}, nil
}

// onNode serves {prefix}.node.{self}.>.
func (b *Bus) onNode(m *nats.Msg) {
	rest := strings.TrimPrefix(m.Subject, b.nodeSubject(b.node)+".")
	switch {
	case rest == "ping":
		_ = m.Respond(nil)
	case rest == "op":
		if m.Reply == "" {
			return
		}
		res := runOp(b.reg, Op{
			Method:       m.Header.Get(hdrMethod),
			ConnectionID: m.Header.Get(hdrConnection),
			APIID:        m.Header.Get(hdrAPI),
			Stage:        m.Header.Get(hdrStage),
			Body:         m.Data,
		})
		reply := nats.NewMsg(m.Reply)
		reply.Header[hdrStatus] = statusValue(res.Status)
		if res.ErrorType != "" {
			reply.Header.Set(hdrErrorType, res.ErrorType)
		}
		if res.ContentType != "" {
			reply.Header.Set("Content-Type", res.ContentType)
		}
		reply.Data = res.Body
		_ = m.RespondMsg(reply)
	case strings.HasPrefix(rest, "send."):
		outcome := SendResultGone
		if c, ok := b.reg.Get(rest[len("send."):]); ok {
			outcome = sendOutcome(c.Send(m.Data))
		}
		if m.Reply != "" {
			_ = m.Respond([]byte(outcome))
		}
	}
}

// statusOK is the Portico-Status of every successful operation, made once:
// strconv.Itoa and the value's slice would be allocated for each reply.
var statusOK = []string{strconv.Itoa(http.StatusOK)}

// statusValue is the Portico-Status header value of status. Callers do not
// modify it.
func statusValue(status int) []string {
	if status == http.StatusOK {
		return statusOK
	}
	return []string{strconv.Itoa(status)}
}

// Replies on a sendSubject request.
const (
	SendResultDelivered = "delivered"
	SendResultGone      = "gone"
	SendResultLimit     = "limit exceeded"
	SendResultTooLarge  = "payload too large"
)

func sendOutcome(err error) string {
	switch {
	case err == nil:
		return SendResultDelivered
	case errors.Is(err, ErrQueueFull):
		return SendResultLimit
	case errors.Is(err, ErrTooLarge):
		return SendResultTooLarge
	default:
		return SendResultGone
	}
}

// Broadcast delivers data to every connection of the stage on this node at
// once, and publishes it for the other nodes. It returns the number of
// local deliveries. While NATS is disconnected it delivers locally only and
// returns ErrBusDown: it publishes nothing, since nats.go would hold the
// message in its reconnect buffer and the other nodes would get it late, or
// never. (A disconnection between the check and the publish still lands in
// that buffer.)
func (b *Bus) Broadcast(apiID, stage string, data []byte) (int, error) {
	n := DeliverLocal(b.reg, apiID, stage, data)
	if !b.nc.IsConnected() {
		return n, ErrBusDown
	}
	msg := nats.NewMsg(b.prefix + ".broadcast." + apiID + "." + stage)
	msg.Header.Set(hdrOrigin, b.node)
	msg.Data = data
	return n, b.nc.PublishMsg(msg)
}

func (b *Bus) onBroadcast(m *nats.Msg) {
	if m.Header.Get(hdrOrigin) == b.node {
		return // delivered locally when it was sent
	}
	rest := strings.TrimPrefix(m.Subject, b.prefix+".broadcast.")
	apiID, stage, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(stage, ".") {
		return
	}
	DeliverLocal(b.reg, apiID, stage, m.Data)
}

// DeliverLocal sends data to every connection of the stage in reg, encoding
// the frame once, and returns how many connections took it. It costs
// O(connections of the stage): the registry's index hands over the stage's
// connections, and no lock is held while sending. Large stages are
// delivered to by one goroutine per CPU, each taking chunks of the stage:
// each send is a non-blocking write(2) (or a queue append), so delivery is
// CPU-bound and spreads over cores.
func DeliverLocal(reg *Registry, apiID, stage string, data []byte) int {
	buf := stageBuffers.Get().(*[]Conn)
	conns := reg.AppendStage((*buf)[:0], apiID, stage)
	defer func() {
		clear(conns) // the pool must not keep connections alive
		*buf = conns[:0]
		stageBuffers.Put(buf)
	}()
	if len(conns) == 0 {
		return 0
	}
	mt := websocket.TextMessage
	if !utf8.Valid(data) {
		mt = websocket.BinaryMessage
	}
	pm, err := websocket.NewPreparedMessage(mt, data)
	if err != nil {
		return 0
	}
	workers := 1
	if len(conns) >= parallelDeliveryMin {
		workers = runtime.GOMAXPROCS(0)
	}
	var n atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			took := 0
			for {
				i := int(next.Add(deliveryChunk)) - deliveryChunk
				if i >= len(conns) {
					break
				}
				for _, c := range conns[i:min(i+deliveryChunk, len(conns))] {
					if c.SendPrepared(pm, len(data)) == nil {
						took++
					}
				}
			}
			n.Add(int64(took))
		}()
	}
	wg.Wait()
	return int(n.Load())
}

const (
	// parallelDeliveryMin is the stage size from which DeliverLocal
	// delivers in parallel.
	parallelDeliveryMin = 1024
	// deliveryChunk is how many connections a delivery goroutine takes at
	// a time.
	deliveryChunk = 256
)

// stageBuffers holds the slices DeliverLocal copies a stage into.
var stageBuffers = sync.Pool{New: func() any { return new([]Conn) }}

// Listed is one connection in a listing (GET {base}/@connections).
type Listed struct {
	ConnectionID string   `json:"connectionId"`
	ConnectedAt  string   `json:"connectedAt"`
	Identity     identity `json:"identity"`
	LastActiveAt string   `json:"lastActiveAt"`
}

type identity struct {
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

type listRequest struct {
	After string `json:"after"`
	Limit int    `json:"limit"`
}

// ListLocal returns up to limit connections of the stage in reg whose IDs
// sort after after, in ID order. It costs O(n log n) in the n connections of
// the stage, whatever the other stages hold, and asks only the connections
// it returns for their Info.
func ListLocal(reg *Registry, apiID, stage, after string, limit int) []Listed {
	conns := slices.DeleteFunc(reg.AppendStage(nil, apiID, stage), func(c Conn) bool { return c.ID() <= after })
	slices.SortFunc(conns, func(a, b Conn) int { return strings.Compare(a.ID(), b.ID()) })
	var out []Listed
	for _, c := range conns {
		if len(out) >= limit {
			break
		}
		info, err := c.Info()
		if err != nil {
			continue // closing
		}
		out = append(out, Listed{
			ConnectionID: c.ID(),
			ConnectedAt:  isoTime(info.ConnectedAt),
			Identity:     identity{SourceIP: info.SourceIP, UserAgent: info.UserAgent},
			LastActiveAt: isoTime(info.LastActiveAt),
		})
	}
	return out
}

func (b *Bus) onList(m *nats.Msg) {
	if m.Reply == "" {
		return
	}
	apiID, stage, ok := strings.Cut(strings.TrimPrefix(m.Subject, b.prefix+".list."), ".")
	var req listRequest
	if !ok || json.Unmarshal(m.Data, &req) != nil || req.Limit <= 0 {
		return
	}
	data, _ := json.Marshal(ListLocal(b.reg, apiID, stage, req.After, req.Limit))
	_ = m.Respond(data)
}

// List gathers the stage's connections from every node: up to limit, in ID
// order, after the given ID. Nodes answer to one request; the listing
// closes ListWait after the last answer.
func (b *Bus) List(ctx context.Context, apiID, stage, after string, limit int) ([]Listed, error) {
	if !b.nc.IsConnected() {
		return nil, ErrBusDown
	}
	inbox := b.nc.NewRespInbox()
	sub, err := b.nc.SubscribeSync(inbox)
	if err != nil {
		return nil, errors.Join(ErrBusDown, err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	req, _ := json.Marshal(listRequest{After: after, Limit: limit})
	if err := b.nc.PublishRequest(b.prefix+".list."+apiID+"."+stage, inbox, req); err != nil {
		return nil, errors.Join(ErrBusDown, err)
	}
	var all []Listed
	wait := b.timeout // for the first answer: this node's own
	for {
		m, err := sub.NextMsg(wait)
		if err != nil {
			if len(all) == 0 && wait == b.timeout {
				return nil, errors.Join(ErrBusDown, err)
			}
			break
		}
		var items []Listed
		if json.Unmarshal(m.Data, &items) == nil {
			all = append(all, items...)
		}
		wait = b.listWait
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ConnectionID < all[j].ConnectionID })
	if len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

// ConnectEvent is published on {prefix}.events.{apiId}.{stage}.connect once
// a connection is established.
type ConnectEvent struct {
	ConnectionID string         `json:"connectionId"`
	CallbackURL  string         `json:"callbackUrl"`
	SendSubject  string         `json:"sendSubject"`
	APIID        string         `json:"apiId"`
	Stage        string         `json:"stage"`
	ConnectedAt  int64          `json:"connectedAt"`
	Identity     EventIdentity  `json:"identity"`
	Authorizer   map[string]any `json:"authorizer,omitempty"`
}

// EventIdentity is the client's identity in lifecycle events.
type EventIdentity struct {
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// DisconnectEvent is published on {prefix}.events.{apiId}.{stage}.disconnect
// after a connection closed.
type DisconnectEvent struct {
	ConnectionID         string `json:"connectionId"`
	APIID                string `json:"apiId"`
	Stage                string `json:"stage"`
	ConnectedAt          int64  `json:"connectedAt"`
	DisconnectStatusCode int    `json:"disconnectStatusCode"`
	DisconnectReason     string `json:"disconnectReason"`
}

// PublishConnect publishes a connect event. While NATS is down events wait
// in the bounded reconnect buffer; past it they are counted as dropped.
func (b *Bus) PublishConnect(ev ConnectEvent) {
	ev.SendSubject = b.SendSubject(ev.ConnectionID)
	b.publishEvent(ev.APIID, ev.Stage, "connect", ev)
}

// PublishDisconnect publishes a disconnect event.
func (b *Bus) PublishDisconnect(ev DisconnectEvent) {
	b.publishEvent(ev.APIID, ev.Stage, "disconnect", ev)
}

func (b *Bus) publishEvent(apiID, stage, kind string, ev any) {
	data, err := json.Marshal(ev)
	if err != nil {
		return
	}
	if err := b.nc.Publish(b.prefix+".events."+apiID+"."+stage+"."+kind, data); err != nil {
		b.dropped.Add(1)
		b.log.Warn("lifecycle event not published", "api_id", apiID, "stage", stage, "event", kind, "error", err)
	}
}
