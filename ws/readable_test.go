package ws

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Frames that arrive together, in one TCP segment, sit in gorilla's read
// buffer after the first is read: the reader must read them without
// waiting for the socket, which has nothing more to say (readable.go).
func TestTwoFramesInOneSegment(t *testing.T) {
	text := func(fin bool, p string) []byte {
		b0 := byte(opText)
		if fin {
			b0 |= finBit
		}
		return clientFrame(b0, []byte(p), true)
	}
	cont := func(p string) []byte { return clientFrame(finBit|opContinuation, []byte(p), true) }
	ping := clientFrame(finBit|opPing, []byte("p"), true)
	cat := func(frames ...[]byte) []byte { return slices.Concat(frames...) }
	second := text(true, `{"n":2}`)

	for _, tc := range []struct {
		name   string
		writes [][]byte // each in one Write, the next once the answers to this one arrived
		want   [][]string
	}{
		{"two messages", [][]byte{cat(text(true, `{"n":1}`), second)}, [][]string{{`{"n":1}`, `{"n":2}`}}},
		{"three messages", [][]byte{cat(text(true, `{"n":1}`), second, text(true, `{"n":3}`))}, [][]string{{`{"n":1}`, `{"n":2}`, `{"n":3}`}}},
		{"a ping and a message", [][]byte{cat(ping, second)}, [][]string{{"pong:p", `{"n":2}`}}},
		{"a message in two fragments, then another", [][]byte{cat(text(false, `{"n":`), cont(`1}`), second)}, [][]string{{`{"n":1}`, `{"n":2}`}}},
		{"a message and half of the next", [][]byte{cat(text(true, `{"n":1}`), second[:4]), second[4:]}, [][]string{{`{"n":1}`}, {`{"n":2}`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newRawGateway(t, Config{}, Limits{}, echo(0))
			c := g.dialRaw(t)
			for i, w := range tc.writes {
				if _, err := c.Write(w); err != nil {
					t.Fatal(err)
				}
				var got []string
				for range tc.want[i] {
					op, p := c.readFrame(t)
					if op == opPong {
						got = append(got, "pong:"+string(p))
					} else {
						got = append(got, string(p))
					}
				}
				slices.Sort(got) // invocations run concurrently
				want := slices.Sorted(slices.Values(tc.want[i]))
				if !slices.Equal(got, want) {
					t.Fatalf("write %d: got %q, want %q", i, got, want)
				}
			}
		})
	}
}

// An idle reader waits on the socket, not inside gorilla (readable.go):
// after a message, and before any.
func TestIdleReaderWaitsOnSocket(t *testing.T) {
	if !peekSupported {
		t.Skip("the reader waits in gorilla on this platform")
	}
	g := newRawGateway(t, Config{}, Limits{}, echo(0))
	c := g.dialRaw(t)
	waitParked(t)
	if _, err := c.Write(clientFrame(finBit|opText, []byte(`{"n":1}`), true)); err != nil {
		t.Fatal(err)
	}
	if _, p := c.readFrame(t); string(p) != `{"n":1}` {
		t.Fatalf("echo: %q", p)
	}
	waitParked(t)
}

// waitParked waits until the one reader goroutine is parked in
// waitReadable.
func waitParked(t testing.TB) {
	t.Helper()
	buf := make([]byte, 1<<20)
	var reader string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		stacks := string(buf[:runtime.Stack(buf, true)])
		for _, s := range strings.Split(stacks, "\n\n") {
			if strings.Contains(s, "startReader.func1") {
				reader = s
			}
		}
		if strings.Contains(reader, "(*frameGuard).waitReadable") && strings.Contains(reader, "IO wait") {
			return
		}
	}
	t.Fatalf("the reader is not parked in waitReadable:\n%s", reader)
}
