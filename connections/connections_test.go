package connections

import (
	"fmt"
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
