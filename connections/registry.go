package connections

import (
	"errors"
	"hash/maphash"
	"sync"
	"sync/atomic"
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
type Conn interface {
	// ID returns the connection ID.
	ID() string
	// APIID and Stage name the API stage the connection belongs to.
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

// Registry maps connection IDs to connections. It is sharded so that connects
// and lookups on different connections rarely contend.
type Registry struct {
	seed   maphash.Seed
	shards [shardCount]shard
}

type shard struct {
	mu    sync.RWMutex
	conns map[string]Conn // guarded by mu
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	r := &Registry{seed: maphash.MakeSeed()}
	for i := range r.shards {
		r.shards[i].conns = make(map[string]Conn)
	}
	return r
}

func (r *Registry) shard(id string) *shard {
	return &r.shards[maphash.String(r.seed, id)%shardCount]
}

// Add registers c under its ID.
func (r *Registry) Add(c Conn) {
	s := r.shard(c.ID())
	s.mu.Lock()
	s.conns[c.ID()] = c
	s.mu.Unlock()
}

// Remove unregisters c; it does nothing when another Conn holds the ID.
func (r *Registry) Remove(c Conn) {
	s := r.shard(c.ID())
	s.mu.Lock()
	if s.conns[c.ID()] == c {
		delete(s.conns, c.ID())
	}
	s.mu.Unlock()
}

// Get returns the connection registered under id.
func (r *Registry) Get(id string) (Conn, bool) {
	s := r.shard(id)
	s.mu.RLock()
	c, ok := s.conns[id]
	s.mu.RUnlock()
	return c, ok
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

// Each calls f for every registered connection. f must not call Add or
// Remove; it may run while other goroutines change the registry.
func (r *Registry) Each(f func(Conn)) {
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.RLock()
		for _, c := range s.conns {
			f(c)
		}
		s.mu.RUnlock()
	}
}

// EachParallel calls f for every registered connection from up to workers
// goroutines, each taking whole shards, and returns when every call has
// returned. f must be safe for concurrent use. Shard locks are held as in
// Each.
func (r *Registry) EachParallel(workers int, f func(Conn)) {
	if workers <= 1 {
		r.Each(f)
		return
	}
	var next atomic.Int32
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(r.shards); i = int(next.Add(1)) - 1 {
				s := &r.shards[i]
				s.mu.RLock()
				for _, c := range s.conns {
					f(c)
				}
				s.mu.RUnlock()
			}
		}()
	}
	wg.Wait()
}

// Snapshot returns every registered connection. The registry may change
// while the caller uses the slice.
func (r *Registry) Snapshot() []Conn {
	var all []Conn
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.RLock()
		for _, c := range s.conns {
			all = append(all, c)
		}
		s.mu.RUnlock()
	}
	return all
}
