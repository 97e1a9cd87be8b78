package control

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
)

// Store keeps the control plane's state: values by key, each with a
// revision that grows with every write to the store, as NATS JetStream's
// key-value buckets do (JetStreamStore implements it over one). Every change is a read-modify-write:
// Update and Delete take the revision the caller read and fail with
// ErrRevision when the key has changed since, so that two concurrent
// writers never silently lose one change.
//
// Keys are dot-separated tokens ("v2.apis.a1b2c3d4e5"); values are
// opaque bytes. Implementations are safe for concurrent use.
type Store interface {
	// Get returns the entry of key, or ErrNotFound.
	Get(ctx context.Context, key string) (Entry, error)
	// List returns the entries whose keys start with prefix, in key order.
	List(ctx context.Context, prefix string) ([]Entry, error)
	// Create writes key when it does not exist, or fails with ErrExists.
	Create(ctx context.Context, key string, value []byte) (revision uint64, err error)
	// Update writes key when its revision is still revision, or fails with
	// ErrRevision (ErrNotFound when it is gone).
	Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error)
	// Delete removes key when its revision is still revision, or fails
	// with ErrRevision (ErrNotFound when it is gone).
	Delete(ctx context.Context, key string, revision uint64) error
	// Watch reports every later change to a key starting with prefix
	// until ctx ends, when the channel is closed. Changes are delivered in
	// revision order; a watcher that falls behind is not waited for: the
	// store closes its channel early, and the watcher reads everything
	// again (List) and watches anew.
	Watch(ctx context.Context, prefix string) (<-chan Event, error)
}

// Entry is one key's value and revision.
type Entry struct {
	Key      string
	Value    []byte
	Revision uint64
}

// Event is one change seen by Store.Watch. A deletion has Deleted set and
// no Value. A JetStreamStore's event of a chunked value that could not be
// read (replaced since) has no Value either: Get reads the key's value.
type Event struct {
	Entry
	Deleted bool
}

// Errors of a Store.
var (
	// ErrNotFound: Get, Update or Delete of a key that does not exist.
	ErrNotFound = errors.New("control: key not found")
	// ErrExists: Create of a key that exists.
	ErrExists = errors.New("control: key exists")
	// ErrRevision: Update or Delete with a revision that is no longer the
	// key's (another writer changed it in between).
	ErrRevision = errors.New("control: key revision mismatch")
)

// MemStore is a Store in memory, for one node (a Controller without a
// Config.Store uses one; Portico uses a JetStreamStore). Its zero value is not usable;
// call NewMemStore.
type MemStore struct {
	mu       sync.Mutex
	rev      uint64           // the last revision written; guarded by mu
	entries  map[string]Entry // guarded by mu
	watchers map[*watcher]struct{}
}

var _ Store = (*MemStore)(nil)

type watcher struct {
	prefix string
	ch     chan Event
}

// watchBuffer is how many events a watcher may have unread before the
// store drops it (closes its channel).
const watchBuffer = 256

// NewMemStore returns an empty in-memory Store.
func NewMemStore() *MemStore {
	return &MemStore{entries: make(map[string]Entry), watchers: make(map[*watcher]struct{})}
}

// Get implements Store.
func (m *MemStore) Get(_ context.Context, key string) (Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok {
		return Entry{}, ErrNotFound
	}
	e.Value = slices.Clone(e.Value)
	return e, nil
}

// List implements Store.
func (m *MemStore) List(_ context.Context, prefix string) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Entry
	for k, e := range m.entries {
		if strings.HasPrefix(k, prefix) {
			e.Value = slices.Clone(e.Value)
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// Create implements Store.
func (m *MemStore) Create(_ context.Context, key string, value []byte) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[key]; ok {
		return 0, ErrExists
	}
	return m.putLocked(key, value), nil
}

// Update implements Store.
func (m *MemStore) Update(_ context.Context, key string, value []byte, revision uint64) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	switch {
	case !ok:
		return 0, ErrNotFound
	case e.Revision != revision:
		return 0, ErrRevision
	}
	return m.putLocked(key, value), nil
}

// Delete implements Store.
func (m *MemStore) Delete(_ context.Context, key string, revision uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	switch {
	case !ok:
		return ErrNotFound
	case e.Revision != revision:
		return ErrRevision
	}
	delete(m.entries, key)
	m.rev++
	m.notifyLocked(Event{Entry: Entry{Key: key, Revision: m.rev}, Deleted: true})
	return nil
}

func (m *MemStore) putLocked(key string, value []byte) uint64 {
	m.rev++
	e := Entry{Key: key, Value: slices.Clone(value), Revision: m.rev}
	m.entries[key] = e
	m.notifyLocked(Event{Entry: e})
	return m.rev
}

// notifyLocked hands ev to every watcher of its key, dropping those whose
// buffer is full.
func (m *MemStore) notifyLocked(ev Event) {
	for w := range m.watchers {
		if !strings.HasPrefix(ev.Key, w.prefix) {
			continue
		}
		e := ev
		e.Value = slices.Clone(ev.Value)
		select {
		case w.ch <- e:
		default:
			delete(m.watchers, w)
			close(w.ch)
		}
	}
}

// Watch implements Store. The goroutine that closes the channel when ctx
// ends is owned by the watch and ends with it.
func (m *MemStore) Watch(ctx context.Context, prefix string) (<-chan Event, error) {
	w := &watcher{prefix: prefix, ch: make(chan Event, watchBuffer)}
	m.mu.Lock()
	m.watchers[w] = struct{}{}
	m.mu.Unlock()
	go func() {
		<-ctx.Done()
		m.mu.Lock()
		defer m.mu.Unlock()
		if _, ok := m.watchers[w]; ok {
			delete(m.watchers, w)
			close(w.ch)
		}
	}()
	return w.ch, nil
}
