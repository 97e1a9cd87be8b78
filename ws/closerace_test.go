package ws

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/portico-gw/portico/connections"
)

// A client's close that arrives while the gateway is writing (a two-way
// answer, a burst of answers, POSTs from @connections) is still answered
// with a close frame carrying its code, before the socket closes (RFC 6455
// §5.5.1), and $disconnect reports the client's close. The race is
// repeated: one iteration in a few lost the close frame when the answer
// was left in the cork buffer at teardown.
func TestClientCloseRacesWrites(t *testing.T) {
	const iterations = 200
	text := func(b0 byte, p string) []byte { return clientFrame(b0, []byte(p), true) }
	// A 96 KB message in three 32 KB frames, echoed back as one frame.
	part := strings.Repeat("a", 32<<10)
	large := [][]byte{text(opText, part), text(opContinuation, part), text(finBit|opContinuation, part)}
	var burst [][]byte
	for i := range 32 {
		burst = append(burst, text(finBit|opText, fmt.Sprintf(`{"n":%d,"data":"%s"}`, i, strings.Repeat("b", 512))))
	}
	post := []byte(strings.Repeat("p", 2048))

	for _, tc := range []struct {
		name   string
		frames [][]byte // sent with the close, in the same write
		posts  bool     // Send on another goroutine until the connection is gone
	}{
		{"large answer", large, false},
		{"burst of answers", burst, false},
		{"POSTs", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newRawGateway(t, Config{}, Limits{}, echo(0))
			want := closeStatus{4001, "bye"}
			lost, misreported := 0, 0
			var firstLost, firstMisreport error
			for range iterations {
				c := g.dialRaw(t)
				var wg sync.WaitGroup
				if tc.posts {
					conns := g.srv.registry.Snapshot()
					if len(conns) != 1 {
						t.Fatalf("%d connections registered, want 1", len(conns))
					}
					wg.Add(1)
					started := make(chan struct{})
					go func() {
						defer wg.Done()
						for i := 0; ; i++ {
							if i == 4 {
								close(started)
							}
							if err := conns[0].Send(post); errors.Is(err, connections.ErrGone) {
								if i < 4 {
									close(started)
								}
								return
							}
						}
					}()
					<-started
				}
				var out []byte
				for _, f := range tc.frames {
					out = append(out, f...)
				}
				out = append(out, clientFrame(finBit|opClose, closePayload(want.Code, want.Reason), true)...)
				if _, err := c.Write(out); err != nil {
					t.Fatal(err)
				}
				code, err := c.awaitClose()
				if err != nil || code != want.Code {
					lost++
					if firstLost == nil {
						firstLost = fmt.Errorf("close frame %d, %v", code, err)
					}
				}
				if got := g.nextDisconnect(t); got != want {
					misreported++
					if firstMisreport == nil {
						firstMisreport = fmt.Errorf("$disconnect reported %+v, want %+v", got, want)
					}
				}
				wg.Wait()
				_ = c.Close()
			}
			if lost > 0 || misreported > 0 {
				t.Errorf("of %d iterations, %d lost the close frame (first: %v), %d misreported $disconnect (first: %v)",
					iterations, lost, firstLost, misreported, firstMisreport)
			}
		})
	}
}

// awaitClose reads frames until the gateway's close frame and returns its
// code (1005 for an empty one), or the error that ended the stream first.
func (c *rawClient) awaitClose() (code int, err error) {
	for {
		op, p, err := c.nextFrame()
		if err != nil {
			return 0, err
		}
		if op != opClose {
			continue
		}
		if len(p) < 2 {
			return 1005, nil
		}
		return int(p[0])<<8 | int(p[1]), nil
	}
}
