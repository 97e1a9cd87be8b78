package bench

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestSendTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1700000000123456789", 1700000000123456789, true},
		{"12345   ", 12345, true},
		{"", 0, false},
		{"   ", 0, false},
		{"12a45", 0, false},
		{"-1234", 0, false},
		{"9999999999999999999", 0, false}, // past int64
		{`{"action":"x"}`, 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := sendTime([]byte(tc.in))
			if got != tc.want || ok != tc.ok {
				t.Errorf("sendTime(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// serveFrames starts a server that writes frames to its one client and
// closes; it returns the client.
func serveFrames(t testing.TB, frames [][]byte) *websocket.Conn {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for _, f := range frames {
			if c.WriteMessage(websocket.TextMessage, f) != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestReadFromCountsEveryMessage(t *testing.T) {
	sent := time.Now().Add(-time.Second)
	long := payloadAt(sent, 40_000) // several reads
	c := serveFrames(t, [][]byte{payloadAt(sent, 100), []byte("not a stamp"), {}, long})
	r := &receipts{hist: newHist()}
	r.readFrom(c)
	if got := r.received.Load(); got != 4 {
		t.Errorf("received %d messages, want 4", got)
	}
	if got := r.hist.TotalCount(); got != 2 { // payloadAt's two
		t.Errorf("recorded %d latencies, want 2", got)
	}
	if us := r.hist.Min(); us < int64(time.Second/time.Microsecond) {
		t.Errorf("smallest latency %d us, want at least 1s", us)
	}
}

func BenchmarkReadFrom(b *testing.B) {
	frames := make([][]byte, b.N)
	for i := range frames {
		frames[i] = payloadAt(time.Now(), 100)
	}
	c := serveFrames(b, frames)
	r := &receipts{hist: newHist()}
	b.ReportAllocs()
	b.ResetTimer()
	r.readFrom(c)
	if got := r.received.Load(); got != int64(b.N) {
		b.Fatalf("received %d of %d", got, b.N)
	}
}
