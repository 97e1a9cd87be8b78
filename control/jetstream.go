package control

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultBucket is the JetStream key-value bucket of the control plane's
// state.
const DefaultBucket = "portico_control"

// ErrUnavailable: the Store cannot be used now (NATS JetStream is not
// enabled, not reachable, or has no quorum yet). The control plane
// answers 503 ServiceUnavailableException with the error's reason. Test
// with errors.Is; the error is an *UnavailableError.
var ErrUnavailable = errors.New("control: store unavailable")

// UnavailableError is the error of a Store that cannot be used now; it
// matches ErrUnavailable.
type UnavailableError struct {
	// Reason is what the control plane's 503 says.
	Reason string
	// Err is the underlying error, if any.
	Err error
}

func (e *UnavailableError) Error() string {
	if e.Err != nil {
		return "control: store unavailable: " + e.Reason + ": " + e.Err.Error()
	}
	return "control: store unavailable: " + e.Reason
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Unwrap returns the underlying error.
func (e *UnavailableError) Unwrap() error { return e.Err }

// ErrTooLarge: a value larger than the Store takes. The JetStream store
// stores a value larger than one NATS message in chunks, up to
// MaxChunks of them (64 MiB with NATS's default 1 MiB payload); the
// control plane answers 400 BadRequestException to a change that would
// store more.
var ErrTooLarge = errors.New("control: value too large for the store")

// MaxChunks bounds the chunks of one value in a JetStreamStore.
const MaxChunks = 64

// JetStreamStore is a Store on a NATS JetStream key-value bucket, shared
// by every node on the same NATS: revisions are the bucket's (the stream
// sequence), Create, Update and Delete are compare-and-set on the key's
// last sequence, and Watch is a KV watch. The bucket is created (or
// bound, when it exists) at first use, so that a node can start before
// its JetStream cluster has a leader; until then every call fails with an
// *UnavailableError.
//
// Chunks. A value larger than one NATS message (the connection's maximum
// payload less 1 KiB) is written in chunks under keys of their own,
// chunks.{id}.{n} with a new random id, and the key itself gets a small
// manifest naming them, with the value's size and SHA-256; the manifest
// is written with the same compare-and-set as any value, so a change
// based on a stale revision is refused (ErrRevision) as for a small
// value, and the chunks of a refused write are removed. Get, List and
// Watch reassemble the value; a reader whose chunks were replaced in
// between reads the key again. The chunks of a value are removed after
// the write that replaces or deletes it (their purge markers are swept
// after ten minutes, at most every ten minutes); a node that stops between
// writing chunks and the manifest leaves them behind (they are never
// read). Values over MaxChunks chunks are refused with ErrTooLarge.
//
// Read-your-writes. JetStream answers a key's read from any replica,
// which may not have the latest write yet; Get and List wait (up to
// staleWait) for the revision this store last wrote of a key, so a
// change read back right after it was made on this node is seen. Other
// nodes' writes are seen as soon as the answering replica has them (a
// change based on a stale read is still refused by its revision check).
type JetStreamStore struct {
	js       jetstream.JetStream
	bucket   string
	replicas int

	mu sync.Mutex
	kv jetstream.KeyValue // nil until opened; guarded by mu

	sweepMu   sync.Mutex
	lastSweep time.Time // the last sweepMarkers; guarded by sweepMu

	// written is this node's last write of each key it wrote (one small
	// entry per key of the control plane's state). Guarded by writtenMu.
	writtenMu sync.Mutex
	written   map[string]writeMark
}

var _ Store = (*JetStreamStore)(nil)

// NewJetStreamStore returns a Store on the key-value bucket (DefaultBucket
// when empty) of js, created with replicas copies (at least 1) when it
// does not exist. It does not contact NATS: the bucket is opened at first
// use.
func NewJetStreamStore(js jetstream.JetStream, bucket string, replicas int) *JetStreamStore {
	if bucket == "" {
		bucket = DefaultBucket
	}
	return &JetStreamStore{js: js, bucket: bucket, replicas: max(replicas, 1)}
}

// openTimeout bounds one attempt at creating or binding the bucket when
// the caller's context has no deadline.
const openTimeout = 5 * time.Second

// Open creates or binds the bucket now. Callers need not call it (every
// method opens the bucket when needed); it reports whether the store is
// usable.
func (s *JetStreamStore) Open(ctx context.Context) error {
	_, err := s.open(ctx)
	return err
}

func (s *JetStreamStore) open(ctx context.Context) (jetstream.KeyValue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kv != nil {
		return s.kv, nil
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, openTimeout)
		defer cancel()
	}
	kv, err := s.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      s.bucket,
		Description: "Portico control plane state",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    s.replicas,
	})
	if errors.Is(err, jetstream.ErrBucketExists) {
		kv, err = s.js.KeyValue(ctx, s.bucket)
	}
	if err != nil {
		return nil, unavailable(err)
	}
	s.kv = kv
	return kv, nil
}

// unavailable wraps an error of NATS as an *UnavailableError with a
// reason a control-plane caller can act on.
func unavailable(err error) error {
	switch {
	case errors.Is(err, jetstream.ErrJetStreamNotEnabled), errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount),
		errors.Is(err, nats.ErrJetStreamNotEnabled):
		return &UnavailableError{Reason: "the control plane keeps its state in NATS JetStream, which the NATS server " +
			"does not have enabled (enable JetStream, or use the embedded NATS); the configuration file's APIs are still served", Err: err}
	case errors.Is(err, nats.ErrNoResponders):
		return &UnavailableError{Reason: "NATS JetStream does not answer: the control plane keeps its state in it, and either " +
			"the NATS server does not have it enabled (enable JetStream, or use the embedded NATS) or its cluster has " +
			"no leader yet; the configuration file's APIs are still served", Err: err}
	case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrConnectionReconnecting),
		errors.Is(err, nats.ErrDisconnected):
		return &UnavailableError{Reason: "NATS is not connected", Err: err}
	default:
		return &UnavailableError{Reason: "NATS JetStream is not ready (no cluster quorum yet?)", Err: err}
	}
}

// storeErr maps an error of an operation on the opened bucket: context
// ends and NATS failures become *UnavailableError.
func storeErr(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return unavailable(err)
}

// chunkSize is the largest value written as one entry, and the size of
// a chunk.
func (s *JetStreamStore) chunkSize() int {
	return max(int(s.js.Conn().MaxPayload())-1024, 1024)
}

// chunkPrefix starts the keys of chunks, which List and Watch skip.
const chunkPrefix = "chunks."

// manifestMagic starts a key's value that names its chunks.
var manifestMagic = []byte("\x00portico-chunks\n")

// manifest is what a chunked value's key holds (after manifestMagic).
type manifest struct {
	ID     string `json:"id"`
	Chunks int    `json:"chunks"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

func chunkKey(id string, n int) string { return chunkPrefix + id + "." + strconv.Itoa(n) }

// parseManifest returns the manifest that value is, if it is one.
func parseManifest(value []byte) (manifest, bool) {
	rest, ok := bytes.CutPrefix(value, manifestMagic)
	if !ok {
		return manifest{}, false
	}
	var m manifest
	if err := json.Unmarshal(rest, &m); err != nil || m.ID == "" {
		return manifest{}, false
	}
	return m, true
}

// stored returns what to write at the key for value: value itself, or
// the manifest of the chunks it writes first (and their manifest, for
// removal when the key's write fails).
func (s *JetStreamStore) stored(ctx context.Context, kv jetstream.KeyValue, value []byte) ([]byte, *manifest, error) {
	size := s.chunkSize()
	if len(value) <= size {
		return value, nil, nil
	}
	n := (len(value) + size - 1) / size
	if n > MaxChunks {
		return nil, nil, fmt.Errorf("%w: %d bytes, more than the %d chunks of %d bytes the store takes", ErrTooLarge, len(value), MaxChunks, size)
	}
	sum := sha256.Sum256(value)
	m := manifest{ID: newID(16, nil), Chunks: n, Size: len(value), SHA256: hex.EncodeToString(sum[:])}
	for i := range n {
		chunk := value[i*size : min((i+1)*size, len(value))]
		if _, err := kv.Put(ctx, chunkKey(m.ID, i), chunk); err != nil {
			s.removeChunks(kv, &m)
			return nil, nil, storeErr(ctx, err)
		}
	}
	b, _ := json.Marshal(m)
	return append(slices.Clip(manifestMagic), b...), &m, nil
}

// removeChunks deletes the chunks of m, best effort (a chunk left behind
// is never read).
func (s *JetStreamStore) removeChunks(kv jetstream.KeyValue, m *manifest) {
	if m == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	for i := range m.Chunks {
		_ = kv.Purge(ctx, chunkKey(m.ID, i))
	}
	s.sweepMarkers(ctx, kv)
}

// sweepEvery is how often, at most, a store removes the purge markers
// that removed chunks leave in the bucket, and markerAge how old a marker
// must be to go (the watchers have seen it).
var (
	sweepEvery = 10 * time.Minute
	markerAge  = 10 * time.Minute
)

// sweepMarkers removes the purge markers of chunks older than markerAge,
// at most every sweepEvery, so that the bucket does not keep one marker
// for every chunk ever removed. Best effort.
func (s *JetStreamStore) sweepMarkers(ctx context.Context, kv jetstream.KeyValue) {
	s.sweepMu.Lock()
	if time.Since(s.lastSweep) < sweepEvery {
		s.sweepMu.Unlock()
		return
	}
	s.lastSweep = time.Now()
	s.sweepMu.Unlock()
	w, err := kv.Watch(ctx, chunkPrefix+">", jetstream.MetaOnly())
	if err != nil {
		return
	}
	var old []string
	for e := range w.Updates() {
		if e == nil { // the current values are all delivered
			break
		}
		if e.Operation() != jetstream.KeyValuePut && time.Since(e.Created()) > markerAge {
			old = append(old, e.Key())
		}
	}
	_ = w.Stop()
	if len(old) == 0 {
		return
	}
	stream, err := s.js.Stream(ctx, "KV_"+s.bucket)
	if err != nil {
		return
	}
	for _, k := range old {
		_ = stream.Purge(ctx, jetstream.WithPurgeSubject("$KV."+s.bucket+"."+k))
	}
}

// assemble returns the value that value stands for: itself, or the
// chunks its manifest names. errChunksGone: a chunk is missing (a later
// write replaced the value).
func (s *JetStreamStore) assemble(ctx context.Context, kv jetstream.KeyValue, value []byte) ([]byte, error) {
	m, ok := parseManifest(value)
	if !ok {
		return slices.Clone(value), nil
	}
	out := make([]byte, 0, m.Size)
	for i := range m.Chunks {
		e, err := kv.Get(ctx, chunkKey(m.ID, i))
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
			return nil, errChunksGone
		case err != nil:
			return nil, storeErr(ctx, err)
		}
		out = append(out, e.Value()...)
	}
	if sum := sha256.Sum256(out); len(out) != m.Size || hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, errChunksGone
	}
	return out, nil
}

// assembleWait is assemble for a watch: it waits up to staleWait for
// chunks that the replica answering does not have yet, and returns nil
// when they cannot be read (replaced by a later write, whose event
// follows).
func (s *JetStreamStore) assembleWait(ctx context.Context, kv jetstream.KeyValue, value []byte) []byte {
	deadline := time.Now().Add(staleWait)
	for {
		v, err := s.assemble(ctx, kv, value)
		if err == nil || !errors.Is(err, errChunksGone) || time.Now().After(deadline) {
			return v
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(staleRetry):
		}
	}
}

// errChunksGone: a chunked value's chunks are gone or do not match its
// manifest, because a later write replaced it.
var errChunksGone = errors.New("control: the value's chunks were replaced")

// oldManifest returns the manifest the key holds at revision, if any.
func (s *JetStreamStore) oldManifest(ctx context.Context, kv jetstream.KeyValue, key string, revision uint64) *manifest {
	e, err := kv.Get(ctx, key)
	if err != nil || e.Revision() != revision {
		return nil
	}
	if m, ok := parseManifest(e.Value()); ok {
		return &m
	}
	return nil
}

// Get implements Store.
func (s *JetStreamStore) Get(ctx context.Context, key string) (Entry, error) {
	kv, err := s.open(ctx)
	if err != nil {
		return Entry{}, err
	}
	s.writtenMu.Lock()
	w, known := s.written[key]
	s.writtenMu.Unlock()
	deadline := time.Now().Add(staleWait)
	for {
		retry := time.Now().Before(deadline)
		e, err := kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
			if known && !w.deleted && retry { // a replica behind this node's own write
				break
			}
			return Entry{}, ErrNotFound
		case err != nil:
			return Entry{}, storeErr(ctx, err)
		case known && e.Revision() < w.revision && retry: // a replica behind this node's own write
		default:
			value, err := s.assemble(ctx, kv, e.Value())
			if errors.Is(err, errChunksGone) && retry { // replaced meanwhile, or a replica behind
				break
			}
			if err != nil {
				return Entry{}, err
			}
			return Entry{Key: e.Key(), Value: value, Revision: e.Revision()}, nil
		}
		select {
		case <-ctx.Done():
			return Entry{}, ctx.Err()
		case <-time.After(staleRetry):
		}
	}
}

// staleWait bounds how long Get waits for the replica that answers it
// to have this node's own last write of the key (JetStream's direct gets
// are answered by any replica), retrying every staleRetry.
const (
	staleWait  = 3 * time.Second
	staleRetry = 20 * time.Millisecond
)

// writeMark is this node's last write of a key: a value at revision, or
// a deletion of the value before revision.
type writeMark struct {
	revision uint64
	deleted  bool
}

// wrote remembers this node's write of key, so that its Get and List
// read it back (read-your-writes) even from a replica that is behind.
func (s *JetStreamStore) wrote(key string, w writeMark) {
	s.writtenMu.Lock()
	defer s.writtenMu.Unlock()
	if s.written == nil {
		s.written = make(map[string]writeMark)
	}
	s.written[key] = w
}

// kvFilter is the subject filter that covers every key starting with
// prefix: the prefix up to its last dot, then ">".
func kvFilter(prefix string) string {
	return prefix[:strings.LastIndexByte(prefix, '.')+1] + ">"
}

// List implements Store.
func (s *JetStreamStore) List(ctx context.Context, prefix string) ([]Entry, error) {
	kv, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	lister, err := kv.ListKeysFiltered(ctx, kvFilter(prefix))
	if err != nil {
		return nil, storeErr(ctx, err)
	}
	var keys []string
	for k := range lister.Keys() {
		if strings.HasPrefix(k, prefix) && !strings.HasPrefix(k, chunkPrefix) {
			keys = append(keys, k)
		}
	}
	_ = lister.Stop()
	s.writtenMu.Lock()
	for k, w := range s.written { // what a replica behind may not list yet
		if strings.HasPrefix(k, prefix) && !w.deleted && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	s.writtenMu.Unlock()
	slices.Sort(keys)
	out := make([]Entry, 0, len(keys))
	for _, k := range keys {
		e, err := s.Get(ctx, k)
		switch {
		case errors.Is(err, ErrNotFound): // deleted since
		case err != nil:
			return nil, err
		default:
			out = append(out, e)
		}
	}
	return out, nil
}

// Create implements Store.
func (s *JetStreamStore) Create(ctx context.Context, key string, value []byte) (uint64, error) {
	kv, err := s.open(ctx)
	if err != nil {
		return 0, err
	}
	value, chunks, err := s.stored(ctx, kv, value)
	if err != nil {
		return 0, err
	}
	rev, err := kv.Create(ctx, key, value)
	if err != nil {
		s.removeChunks(kv, chunks)
	} else {
		s.wrote(key, writeMark{revision: rev})
	}
	switch {
	case errors.Is(err, jetstream.ErrKeyExists):
		return 0, ErrExists
	case errors.Is(err, jetstream.ErrInvalidKey):
		return 0, fmt.Errorf("control: store key %q: %w", key, err)
	case err != nil:
		return 0, storeErr(ctx, err)
	}
	return rev, nil
}

// Update implements Store.
func (s *JetStreamStore) Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error) {
	kv, err := s.open(ctx)
	if err != nil {
		return 0, err
	}
	if revision == 0 { // 0 would mean "create" to JetStream
		return 0, s.mismatch(ctx, key)
	}
	old := s.oldManifest(ctx, kv, key, revision)
	value, chunks, err := s.stored(ctx, kv, value)
	if err != nil {
		return 0, err
	}
	rev, err := kv.Update(ctx, key, value, revision)
	if err != nil {
		s.removeChunks(kv, chunks)
	} else {
		s.wrote(key, writeMark{revision: rev})
	}
	switch {
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch), errors.Is(err, jetstream.ErrKeyExists):
		return 0, s.mismatch(ctx, key)
	case err != nil:
		return 0, storeErr(ctx, err)
	}
	s.removeChunks(kv, old)
	return rev, nil
}

// Delete implements Store.
func (s *JetStreamStore) Delete(ctx context.Context, key string, revision uint64) error {
	kv, err := s.open(ctx)
	if err != nil {
		return err
	}
	if revision == 0 {
		return s.mismatch(ctx, key)
	}
	old := s.oldManifest(ctx, kv, key, revision)
	err = kv.Delete(ctx, key, jetstream.LastRevision(revision))
	switch {
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch), errors.Is(err, jetstream.ErrKeyExists):
		return s.mismatch(ctx, key)
	case err != nil:
		return storeErr(ctx, err)
	}
	s.wrote(key, writeMark{revision: revision + 1, deleted: true})
	s.removeChunks(kv, old)
	return nil
}

// mismatch tells a revision mismatch (ErrRevision) from a key that is
// gone (ErrNotFound), which JetStream reports alike.
func (s *JetStreamStore) mismatch(ctx context.Context, key string) error {
	if _, err := s.Get(ctx, key); errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	return ErrRevision
}

// Watch implements Store: a KV watch of the keys under prefix, updates
// only. The goroutine that translates the watch's entries into Events is
// owned by the watch: it stops the KV watcher and ends when ctx ends, and
// closes the channel; it also closes it early when the KV watch ends (NATS
// closed) or the reader falls behind by more than watchBuffer events.
func (s *JetStreamStore) Watch(ctx context.Context, prefix string) (<-chan Event, error) {
	kv, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	w, err := kv.Watch(wctx, kvFilter(prefix), jetstream.UpdatesOnly())
	if err != nil {
		cancel()
		return nil, storeErr(ctx, err)
	}
	out := make(chan Event, watchBuffer)
	go func() {
		defer close(out)
		defer func() {
			// Ending wctx unsubscribes (nats.go, in its own goroutine, then
			// deletes the ephemeral consumer: w.Stop would wait for that,
			// seconds when JetStream has lost its quorum). The watcher's
			// callback may be blocked handing over an entry; drain until
			// its channel closes (the subscription's end).
			cancel()
			t := time.NewTimer(5 * time.Second)
			defer t.Stop()
			for {
				select {
				case _, ok := <-w.Updates():
					if !ok {
						return
					}
				case <-t.C:
					return
				}
			}
		}()
		for {
			select {
			case <-wctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e == nil || !strings.HasPrefix(e.Key(), prefix) || strings.HasPrefix(e.Key(), chunkPrefix) {
					continue
				}
				ev := Event{Entry: Entry{Key: e.Key(), Revision: e.Revision()}}
				if e.Operation() == jetstream.KeyValuePut {
					ev.Value = s.assembleWait(wctx, kv, e.Value())
				} else {
					ev.Deleted = true
				}
				select {
				case out <- ev:
				default: // fallen behind: the reader lists anew
					return
				}
			}
		}
	}()
	return out, nil
}
