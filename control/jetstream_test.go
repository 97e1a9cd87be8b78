package control

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// jsConn starts an in-process nats-server, with JetStream when js, and
// returns a connection to it.
func jsConn(t *testing.T, js bool) *nats.Conn {
	t.Helper()
	ns, err := server.NewServer(&server.Options{DontListen: true, NoLog: true, NoSigs: true, JetStream: js, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	nc, err := nats.Connect("", nats.InProcessServer(ns))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		nc.Close()
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return nc
}

func newTestJetStreamStore(t *testing.T) *JetStreamStore {
	t.Helper()
	js, err := jetstream.New(jsConn(t, true))
	if err != nil {
		t.Fatal(err)
	}
	return NewJetStreamStore(js, "", 1)
}

func TestControlJetStreamStoreRevisions(t *testing.T) {
	ctx := context.Background()
	s := newTestJetStreamStore(t)
	if _, err := s.Get(ctx, "v2.apis.a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing key: %v, want ErrNotFound", err)
	}
	r1, err := s.Create(ctx, "v2.apis.a", []byte("one"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "v2.apis.a", []byte("again")); !errors.Is(err, ErrExists) {
		t.Fatalf("Create of an existing key: %v, want ErrExists", err)
	}
	// Two writers read revision r1; the second one's Update is stale.
	r2, err := s.Update(ctx, "v2.apis.a", []byte("two"), r1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "v2.apis.a", []byte("lost"), r1); !errors.Is(err, ErrRevision) {
		t.Fatalf("stale Update: %v, want ErrRevision", err)
	}
	if err := s.Delete(ctx, "v2.apis.a", r1); !errors.Is(err, ErrRevision) {
		t.Fatalf("stale Delete: %v, want ErrRevision", err)
	}
	e, err := s.Get(ctx, "v2.apis.a")
	if err != nil || string(e.Value) != "two" || e.Revision != r2 {
		t.Fatalf("Get = %q rev %d, %v; want two rev %d", e.Value, e.Revision, err, r2)
	}
	if _, err := s.Update(ctx, "v2.apis.nope", []byte("x"), r2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Update of a missing key: %v, want ErrNotFound", err)
	}
	if _, err := s.Create(ctx, "v2.apis.b", []byte("b")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "other.c", []byte("c")); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx, "v2.apis.")
	if err != nil || len(list) != 2 || list[0].Key != "v2.apis.a" || list[1].Key != "v2.apis.b" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if err := s.Delete(ctx, "v2.apis.a", r2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "v2.apis.a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	if err := s.Delete(ctx, "v2.apis.a", r2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete of a deleted key: %v, want ErrNotFound", err)
	}
	// A deleted key can be created again.
	if _, err := s.Create(ctx, "v2.apis.a", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "v2.apis.big", bytes.Repeat([]byte("x"), (MaxChunks+1)<<20)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Create of %d MiB: %v, want ErrTooLarge", MaxChunks+1, err)
	}
}

// chunkKeys returns the chunk keys in s's bucket.
func chunkKeys(t *testing.T, s *JetStreamStore) []string {
	t.Helper()
	kv, err := s.open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lister, err := kv.ListKeysFiltered(context.Background(), chunkPrefix+">")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for k := range lister.Keys() {
		out = append(out, k)
	}
	return out
}

// A value larger than one NATS message is stored in chunks, with the
// same revision checks; a watcher reads it whole; replaced and deleted
// values leave no chunks.
func TestControlJetStreamStoreChunks(t *testing.T) {
	ctx := context.Background()
	s := newTestJetStreamStore(t)
	big := func(c byte, n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = c + byte(i%7)
		}
		return b
	}
	ch, err := s.Watch(ctx, "v1.")
	if err != nil {
		t.Fatal(err)
	}
	one := big('a', 2<<20+12345)
	r1, err := s.Create(ctx, "v1.restapis.big", one)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Get(ctx, "v1.restapis.big")
	if err != nil || !bytes.Equal(e.Value, one) || e.Revision != r1 {
		t.Fatalf("Get: %d bytes rev %d %v, want %d bytes rev %d", len(e.Value), e.Revision, err, len(one), r1)
	}
	if n := len(chunkKeys(t, s)); n != 3 {
		t.Fatalf("%d chunks, want 3", n)
	}
	select {
	case ev := <-ch:
		if ev.Key != "v1.restapis.big" || !bytes.Equal(ev.Value, one) {
			t.Fatalf("watch: %s %d bytes", ev.Key, len(ev.Value))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event")
	}
	if _, err := s.Create(ctx, "v1.restapis.big", one); !errors.Is(err, ErrExists) {
		t.Fatalf("Create of an existing key: %v", err)
	}
	two := big('k', 3<<20-10000)
	r2, err := s.Update(ctx, "v1.restapis.big", two, r1)
	if err != nil {
		t.Fatal(err)
	}
	// A change based on the stale revision is refused, and leaves nothing.
	if _, err := s.Update(ctx, "v1.restapis.big", big('z', 2<<20), r1); !errors.Is(err, ErrRevision) {
		t.Fatalf("Update with a stale revision: %v, want ErrRevision", err)
	}
	if err := s.Delete(ctx, "v1.restapis.big", r1); !errors.Is(err, ErrRevision) {
		t.Fatalf("Delete with a stale revision: %v, want ErrRevision", err)
	}
	if n := len(chunkKeys(t, s)); n != 3 {
		t.Fatalf("%d chunks after the update, want 3 (the old ones removed)", n)
	}
	list, err := s.List(ctx, "v1.")
	if err != nil || len(list) != 1 || !bytes.Equal(list[0].Value, two) || list[0].Revision != r2 {
		t.Fatalf("List: %d entries %v", len(list), err)
	}
	// Back to a small value, then deleted.
	r3, err := s.Update(ctx, "v1.restapis.big", []byte("small"), r2)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(chunkKeys(t, s)); n != 0 {
		t.Fatalf("%d chunks after a small update", n)
	}
	if err := s.Delete(ctx, "v1.restapis.big", r3); err != nil {
		t.Fatal(err)
	}
	r4, err := s.Create(ctx, "v1.restapis.big", one)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "v1.restapis.big", r4); err != nil {
		t.Fatal(err)
	}
	if n := len(chunkKeys(t, s)); n != 0 {
		t.Fatalf("%d chunks after Delete", n)
	}
}

// Concurrent read-modify-writes: exactly one of the writers holding the
// same revision wins; the others see ErrRevision.
func TestControlJetStreamStoreConcurrentUpdates(t *testing.T) {
	ctx := context.Background()
	s := newTestJetStreamStore(t)
	rev, err := s.Create(ctx, "v2.apis.x", []byte("0"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, stale := 0, 0
	for range 8 {
		wg.Go(func() {
			_, err := s.Update(ctx, "v2.apis.x", []byte("w"), rev)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, ErrRevision):
				stale++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 || stale != 7 {
		t.Fatalf("wins %d, stale %d; want 1 and 7", wins, stale)
	}
}

func TestControlJetStreamStoreWatch(t *testing.T) {
	s := newTestJetStreamStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := s.Create(ctx, "v2.apis.before", []byte("b")); err != nil {
		t.Fatal(err)
	}
	ch, err := s.Watch(ctx, "v2.apis.")
	if err != nil {
		t.Fatal(err)
	}
	rev, err := s.Create(ctx, "v2.apis.a", []byte("1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "v2.other", []byte("not watched")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "v2.apis.a", rev); err != nil {
		t.Fatal(err)
	}
	next := func() Event {
		t.Helper()
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("watch closed")
			}
			return ev
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
		}
		return Event{}
	}
	if ev := next(); ev.Key != "v2.apis.a" || ev.Deleted || string(ev.Value) != "1" || ev.Revision != rev {
		t.Fatalf("first event %+v", ev)
	}
	if ev := next(); ev.Key != "v2.apis.a" || !ev.Deleted {
		t.Fatalf("second event %+v", ev)
	}
	cancel()
	select {
	case _, ok := <-ch:
		for ok {
			_, ok = <-ch
		}
	case <-time.After(5 * time.Second):
		t.Fatal("watch not closed when its context ended")
	}
}

// Without JetStream every call fails with ErrUnavailable, and the control
// plane answers 503 saying JetStream is needed.
func TestControlJetStreamStoreWithoutJetStream(t *testing.T) {
	js, err := jetstream.New(jsConn(t, false))
	if err != nil {
		t.Fatal(err)
	}
	s := NewJetStreamStore(js, "", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = s.List(ctx, keyPrefix)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("List: %v, want ErrUnavailable", err)
	}
	ae := storeError(err)
	if ae.Status != http.StatusServiceUnavailable || ae.Type != "ServiceUnavailableException" || !strings.Contains(ae.Message, "JetStream") {
		t.Fatalf("answer %+v", ae)
	}
	if _, err := s.Watch(ctx, keyPrefix); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Watch: %v, want ErrUnavailable", err)
	}
}

// The purge markers of removed chunks are swept from the bucket.
func TestControlJetStreamStoreSweepsChunkMarkers(t *testing.T) {
	ctx := context.Background()
	every, age := sweepEvery, markerAge
	sweepEvery, markerAge = 0, 0
	t.Cleanup(func() { sweepEvery, markerAge = every, age })
	s := newTestJetStreamStore(t)
	messages := func() uint64 {
		t.Helper()
		st, err := s.js.Stream(ctx, "KV_"+s.bucket)
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return info.State.Msgs
	}
	r1, err := s.Create(ctx, "v1.restapis.big", bytes.Repeat([]byte("a"), 2<<20))
	if err != nil {
		t.Fatal(err)
	}
	if n := messages(); n != 4 { // 3 chunks, 1 manifest
		t.Fatalf("%d messages after Create, want 4", n)
	}
	if _, err := s.Update(ctx, "v1.restapis.big", bytes.Repeat([]byte("b"), 2<<20), r1); err != nil {
		t.Fatal(err)
	}
	if n := messages(); n != 4 { // the old chunks and their markers gone
		t.Fatalf("%d messages after Update, want 4", n)
	}
}
