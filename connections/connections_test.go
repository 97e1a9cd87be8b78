package connections

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gorilla/websocket"
)

type fakeConn struct{ id string }

func (f *fakeConn) ID() string                                         { return f.id }
func (f *fakeConn) APIID() string                                      { return "api" }
func (f *fakeConn) Stage() string                                      { return "dev" }
func (f *fakeConn) Send([]byte) error                                  { return nil }
func (f *fakeConn) SendPrepared(*websocket.PreparedMessage, int) error { return nil }
func (f *fakeConn) Delete() error                                      { return nil }
func (f *fakeConn) Info() (Info, error)                                { return Info{}, nil }
func (f *fakeConn) MaxMessageBytes() int                               { return 1 }

func TestRegistryConcurrent(t *testing.T) {
	r := NewRegistry()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				c := &fakeConn{id: fmt.Sprintf("%d-%d", w, i)}
				r.Add(c)
				if got, ok := r.Get(c.id); !ok || got != c {
					t.Errorf("Get(%s) after Add", c.id)
				}
				if i%2 == 0 {
					r.Remove(c)
				}
			}
		}(w)
	}
	wg.Wait()
	if n := r.Len(); n != 8*250 {
		t.Errorf("Len = %d, want %d", n, 8*250)
	}
	if n := len(r.Snapshot()); n != 8*250 {
		t.Errorf("Snapshot has %d, want %d", n, 8*250)
	}
	// Remove of a stale Conn with the same ID keeps the current one.
	a, b := &fakeConn{id: "x"}, &fakeConn{id: "x"}
	r.Add(a)
	r.Add(b)
	r.Remove(a)
	if got, ok := r.Get("x"); !ok || got != b {
		t.Error("Remove of a replaced Conn removed its replacement")
	}
}

func TestConnectionIDFromPath(t *testing.T) {
	for _, tc := range []struct {
		rest, id string
		ok       bool
	}{
		{"/@connections/R1kmxc2VNjMCFIA%3D", "R1kmxc2VNjMCFIA=", true},
		{"/%40connections/R1kmxc2VNjMCFIA=", "R1kmxc2VNjMCFIA=", true},
		{"/@connections/", "", false},
		{"/@connections", "", false},
		{"/@connections/a/b", "", false},
		{"/@connections/%zz", "", false},
	} {
		id, ok := connectionIDFromPath(tc.rest)
		if id != tc.id || ok != tc.ok {
			t.Errorf("connectionIDFromPath(%q) = %q %v", tc.rest, id, ok)
		}
	}
}

func TestQuote(t *testing.T) {
	if got := quote("a\"b\\c\nd\x01"); got != `"a\"b\\c\nd\u0001"` {
		t.Errorf("quote = %s", got)
	}
}

// BenchmarkRegistryGet measures the lookup every @connections call makes,
// with 10,000 registered connections and parallel callers.
func BenchmarkRegistryGet(b *testing.B) {
	r := NewRegistry()
	ids := make([]string, 10000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%015d=", i)
		r.Add(&fakeConn{id: ids[i]})
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok := r.Get(ids[i%len(ids)]); !ok {
				b.Fatal("missing")
			}
			i++
		}
	})
}

// countingConn records how many frames it was given.
type countingConn struct {
	fakeConn
	stage string
	got   atomic.Int32
	full  bool
}

func (c *countingConn) Stage() string { return c.stage }
func (c *countingConn) SendPrepared(*websocket.PreparedMessage, int) error {
	if c.full {
		return ErrQueueFull
	}
	c.got.Add(1)
	return nil
}

// Large registries are delivered to in parallel: each connection of the
// stage gets the frame exactly once, others none, and the count is right.
func TestDeliverLocalParallel(t *testing.T) {
	for _, n := range []int{10, 3 * parallelDeliveryMin} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := NewRegistry()
			var conns []*countingConn
			for i := 0; i < n; i++ {
				c := &countingConn{fakeConn: fakeConn{id: fmt.Sprint(i)}, stage: "dev", full: i%7 == 0}
				if i%5 == 0 {
					c.stage = "other"
				}
				r.Add(c)
				conns = append(conns, c)
			}
			want := 0
			for _, c := range conns {
				if c.stage == "dev" && !c.full {
					want++
				}
			}
			if got := DeliverLocal(r, "api", "dev", []byte("hi")); got != want {
				t.Errorf("DeliverLocal = %d, want %d", got, want)
			}
			for _, c := range conns {
				if wantOne := c.stage == "dev" && !c.full; c.got.Load() != map[bool]int32{true: 1, false: 0}[wantOne] {
					t.Fatalf("connection %s (stage %s) got %d frames", c.id, c.stage, c.got.Load())
				}
			}
		})
	}
}

// stageConn is a connection of a given API stage.
type stageConn struct {
	fakeConn
	api, stage string
}

func (c *stageConn) APIID() string { return c.api }
func (c *stageConn) Stage() string { return c.stage }

// The index follows Add, Remove and replacement: a stage's connections are
// exactly those registered under it, and an emptied stage leaves no entry.
func TestRegistryStageIndex(t *testing.T) {
	r := NewRegistry()
	a := &stageConn{fakeConn{"a"}, "api", "dev"}
	b := &stageConn{fakeConn{"b"}, "api", "dev"}
	c := &stageConn{fakeConn{"c"}, "api", "prod"}
	d := &stageConn{fakeConn{"d"}, "other", "dev"}
	for _, x := range []*stageConn{a, b, c, d} {
		r.Add(x)
	}
	stageIDs := func(api, stage string) []string {
		var ids []string
		for _, x := range r.AppendStage(nil, api, stage) {
			ids = append(ids, x.ID())
		}
		slices.Sort(ids)
		return ids
	}
	if got := stageIDs("api", "dev"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("api/dev = %v", got)
	}
	if got := stageIDs("other", "dev"); !slices.Equal(got, []string{"d"}) {
		t.Errorf("other/dev = %v", got)
	}
	// b's ID taken by a connection of another stage: it leaves api/dev.
	b2 := &stageConn{fakeConn{"b"}, "api", "prod"}
	r.Add(b2)
	r.Remove(b) // stale: keeps b2
	if got := stageIDs("api", "dev"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("api/dev after replacement = %v", got)
	}
	if got := stageIDs("api", "prod"); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("api/prod after replacement = %v", got)
	}
	r.Remove(a)
	if n := r.StageLen("api", "dev"); n != 0 {
		t.Errorf("StageLen(api, dev) = %d after its last Remove", n)
	}
	k := stageKey{"api", "dev"}
	if _, ok := r.stageShard(k).stages[k]; ok {
		t.Error("an emptied stage keeps its index entry")
	}
	if got := ListLocal(r, "api", "prod", "b", 10); len(got) != 1 || got[0].ConnectionID != "c" {
		t.Errorf("ListLocal after b = %v", got)
	}
}

// Add, Remove, delivery and listing run concurrently (go test -race): at
// the end each stage's index holds exactly its registered connections.
func TestRegistryConcurrentStages(t *testing.T) {
	r := NewRegistry()
	stages := []string{"s0", "s1", "s2"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for _, st := range stages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				DeliverLocal(r, "api", st, []byte("hi"))
				for _, l := range ListLocal(r, "api", st, "", 50) {
					if c, ok := r.Get(l.ConnectionID); ok && c.Stage() != st {
						t.Errorf("listing of %s holds %s of %s", st, l.ConnectionID, c.Stage())
					}
				}
			}
		}()
	}
	var writers sync.WaitGroup
	for w := 0; w < 6; w++ {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := 0; i < 600; i++ {
				c := &stageConn{fakeConn{fmt.Sprintf("%d-%d", w, i)}, "api", stages[(w+i)%len(stages)]}
				r.Add(c)
				if i%3 != 0 {
					r.Remove(c)
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	total := 0
	for _, st := range stages {
		conns := r.AppendStage(nil, "api", st)
		for _, c := range conns {
			if got, ok := r.Get(c.ID()); !ok || got != c || c.Stage() != st {
				t.Errorf("stage %s indexes %s, registered %v", st, c.ID(), ok)
			}
		}
		if n := r.StageLen("api", st); n != len(conns) {
			t.Errorf("StageLen(%s) = %d, AppendStage has %d", st, n, len(conns))
		}
		total += len(conns)
	}
	if n := r.Len(); n != total || n != 6*200 {
		t.Errorf("Len = %d, stages hold %d, want %d", n, total, 6*200)
	}
}

// BenchmarkDeliverLocalStage delivers to a 100-connection stage of a
// registry that also holds 10,000 connections of another stage: the cost
// is the stage's, not the node's.
func BenchmarkDeliverLocalStage(b *testing.B) {
	r := NewRegistry()
	for i := 0; i < 10000; i++ {
		r.Add(&stageConn{fakeConn{fmt.Sprintf("big%d", i)}, "api", "big"})
	}
	for i := 0; i < 100; i++ {
		r.Add(&stageConn{fakeConn{fmt.Sprintf("small%d", i)}, "api", "small"})
	}
	data := []byte("hello")
	b.ReportAllocs()
	for b.Loop() {
		if n := DeliverLocal(r, "api", "small", data); n != 100 {
			b.Fatalf("delivered to %d", n)
		}
	}
}
