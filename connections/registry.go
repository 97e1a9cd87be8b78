package connections

import (
	"errors"
	"hash/maphash"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Errors returned by Conn.Send and by the registry's users.
var (
	// ErrGone is returned for a connection that is closed, closing, not yet
	// established, or unknown.
	ErrGone = errors.New("connections: connection gone")
	// ErrQueueFull is returned by Send when the connection's send queue
	// cannot take the message: the client is not reading fast enough.
	ErrQueueFull = errors.New("connections: send queue full")
	// ErrTooLarge is returned by Send for a message over the API's limit.
	ErrTooLarge = errors.New("connections: message too large")
)

// Conn is a live connection as the registry and the management API see it.
// Its dynamic type must be comparable (a pointer, in practice): the stage
// index is keyed by the Conn.
type Conn interface {
	// ID returns the connection ID.
	ID() string
	// APIID and Stage name the API stage the connection belongs to. The
	// registry indexes a connection under the values they return when it
	// is added.
	APIID() string
	Stage() string
	// Send queues one message for the client without blocking.
	Send(data []byte) error
	// SendPrepared queues a broadcast frame encoded once for every
	// recipient; size is its payload length.
	SendPrepared(pm *websocket.PreparedMessage, size int) error
	// Delete closes the connection with 1000 as DeleteConnection does, and
	// runs $disconnect. It returns ErrGone when the connection is already
	// closing.
	Delete() error
	// Info describes the connection for GetConnection. It returns ErrGone
	// once the connection is closing.
	Info() (Info, error)
	// MaxMessageBytes is the largest message Send accepts.
	MaxMessageBytes() int
}

// Info is what GetConnection reports.
type Info struct {
	ConnectedAt  time.Time
	LastActiveAt time.Time
	SourceIP     string
	UserAgent    string
}

const shardCount = 64

// Registry maps connection IDs to connections and indexes them by API and
// stage, so that a broadcast or a listing touches only the stage's own
// connections. Both sides are sharded: by connection ID for Add, Remove and
// Get, so that connects and lookups on different connections rarely
// contend; by (API ID, stage) for the index, as centrifuge's hub shards by
// channel. The lock order is in doc.go.
type Registry struct {
	seed   maphash.Seed
	shards [shardCount]shard      // by connection ID
	stages [shardCount]stageShard // by (API ID, stage)
}

type shard struct {
	mu    sync.RWMutex
	conns map[string]entry // guarded by mu
}

// entry is a registered connection and the stage index it is in, the one
// of its API and stage as they were when it was added.
type entry struct {
	c   Conn
	set *stageSet
}

type stageKey struct{ apiID, stage string }

// stageSet is one stage's connections. The set of a stage without
// connections is dropped, so an entry's set always holds the entry's Conn
// until unindex removes it. conns is guarded by its stageShard's mu.
type stageSet struct {
	key   stageKey
	conns map[Conn]struct{} // keyed by the Conn itself: 16 bytes a slot, not 32 as by ID
}

type stageShard struct {
	mu sync.RWMutex
	// stages holds each stage's set; a stage without connections has no
	// entry. Guarded by mu.
	stages map[stageKey]*stageSet
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	r := &Registry{seed: maphash.MakeSeed()}
	for i := range r.shards {
		r.shards[i].conns = make(map[string]entry)
		r.stages[i].stages = make(map[stageKey]*stageSet)
	}
	return r
}

func (r *Registry) shard(id string) *shard {
	return &r.shards[maphash.String(r.seed, id)%shardCount]
}

func (r *Registry) stageShard(k stageKey) *stageShard {
	return &r.stages[maphash.Comparable(r.seed, k)%shardCount]
}

// Add registers c under its ID, replacing any Conn that held the ID, and
// indexes it under its API and stage.
func (r *Registry) Add(c Conn) {
	id := c.ID()
	k := stageKey{c.APIID(), c.Stage()}
	s := r.shard(id)
	s.mu.Lock()
	if old, ok := s.conns[id]; ok {
		r.unindex(old)
	}
	ss := r.stageShard(k)
	ss.mu.Lock()
	set := ss.stages[k]
	if set == nil {
		set = &stageSet{key: k, conns: make(map[Conn]struct{})}
		ss.stages[k] = set
	}
	set.conns[c] = struct{}{}
	ss.mu.Unlock()
	s.conns[id] = entry{c: c, set: set}
	s.mu.Unlock()
}

// Remove unregisters c; it does nothing when another Conn holds the ID.
func (r *Registry) Remove(c Conn) {
	id := c.ID()
	s := r.shard(id)
	s.mu.Lock()
	if e, ok := s.conns[id]; ok && e.c == c {
		delete(s.conns, id)
		r.unindex(e)
	}
	s.mu.Unlock()
}

// unindex drops e's Conn from its stage. The caller holds the lock of the
// Conn's ID shard, which orders every change to its index entry.
func (r *Registry) unindex(e entry) {
	ss := r.stageShard(e.set.key)
	ss.mu.Lock()
	delete(e.set.conns, e.c)
	if len(e.set.conns) == 0 {
		delete(ss.stages, e.set.key)
	}
	ss.mu.Unlock()
}

// Get returns the connection registered under id.
func (r *Registry) Get(id string) (Conn, bool) {
	s := r.shard(id)
	s.mu.RLock()
	e, ok := s.conns[id]
	s.mu.RUnlock()
	return e.c, ok
}

// Len returns the number of registered connections.
func (r *Registry) Len() int {
	n := 0
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.RLock()
		n += len(s.conns)
		s.mu.RUnlock()
	}
	return n
}

// StageLen returns the number of connections of the API stage.
func (r *Registry) StageLen(apiID, stage string) int {
	k := stageKey{apiID, stage}
	ss := r.stageShard(k)
	ss.mu.RLock()
	n := 0
	if set := ss.stages[k]; set != nil {
		n = len(set.conns)
	}
	ss.mu.RUnlock()
	return n
}

// AppendStage appends the connections of the API stage to dst and returns
// the extended slice, in no particular order. It costs O(connections of the
// stage), whatever the other stages hold, and holds one index lock while it
// copies, never while the caller uses the slice; the registry may change
// meanwhile.
func (r *Registry) AppendStage(dst []Conn, apiID, stage string) []Conn {
	k := stageKey{apiID, stage}
	ss := r.stageShard(k)
	ss.mu.RLock()
	if set := ss.stages[k]; set != nil {
		dst = slices.Grow(dst, len(set.conns))
		for c := range set.conns {
			dst = append(dst, c)
		}
	}
	ss.mu.RUnlock()
	return dst
}

// Each calls f for every registered connection. f must not call Add or
// Remove; it may run while other goroutines change the registry.
func (r *Registry) Each(f func(Conn)) {
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.RLock()
		for _, e := range s.conns {
			f(e.c)
		}
		s.mu.RUnlock()
	}
}

// Snapshot returns every registered connection. The registry may change
// while the caller uses the slice.
func (r *Registry) Snapshot() []Conn {
	var all []Conn
	r.Each(func(c Conn) { all = append(all, c) })
	return all
}
