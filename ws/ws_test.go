package ws

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
)

func TestErrorFrameBytes(t *testing.T) {
	for _, tc := range []struct{ message, want string }{
		{msgForbidden, `{"message": "Forbidden", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmGEE2RoE0FRdQ="}`},
		{msgInternalError, `{"message": "Internal server error", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmGEE2RoE0FRdQ="}`},
		{msgEndpointTimedOut, `{"message": "Endpoint request timed out", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmGEE2RoE0FRdQ="}`},
	} {
		if got := string(errorFrame(tc.message, "XDmENcnwIE0CFEQ=", "XDmGEE2RoE0FRdQ=")); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestOriginAllowed(t *testing.T) {
	allowed := []string{"https://app.example.com", "https://*.example.org", "http://localhost:3000"}
	for _, tc := range []struct {
		origin string
		want   bool
	}{
		{"https://app.example.com", true},
		{"HTTPS://APP.EXAMPLE.COM", true},
		{"https://a.b.example.org", true},
		{"https://example.org", false},
		{"http://x.example.org", false},
		{"https://evilexample.org", false},
		{"http://localhost:3000", true},
		{"http://localhost:3001", false},
		{"", false},
	} {
		if got := originAllowed(allowed, tc.origin); got != tc.want {
			t.Errorf("originAllowed(%q) = %v, want %v", tc.origin, got, tc.want)
		}
	}
	if !originAllowed(nil, "") || !originAllowed(nil, "https://any.where") {
		t.Error("an empty allow-list must allow every origin")
	}
	if !originAllowed([]string{"*"}, "https://x.y") {
		t.Error(`"*" must allow every origin`)
	}
}

// frame builds a masked client frame header plus payload.
func frame(opcode byte, fin bool, payload []byte) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	var h []byte
	switch n := len(payload); {
	case n < 126:
		h = []byte{b0, 0x80 | byte(n)}
	case n < 1<<16:
		h = []byte{b0, 0x80 | 126, byte(n >> 8), byte(n)}
	default:
		h = []byte{b0, 0x80 | 127, 0, 0, 0, 0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	h = append(h, 1, 2, 3, 4) // mask key; payload left unmasked: the guard does not care
	return append(h, payload...)
}

type chunkConn struct {
	net.Conn
	r     io.Reader
	chunk int
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(p) > c.chunk {
		p = p[:c.chunk]
	}
	return c.r.Read(p)
}

func TestFrameGuard(t *testing.T) {
	small := frame(0x1, true, bytes.Repeat([]byte("a"), 100))
	medium := frame(0x1, true, bytes.Repeat([]byte("b"), 1000))
	ping := frame(0x9, true, []byte("p"))
	big := frame(0x1, true, bytes.Repeat([]byte("c"), 1025))
	fragmented := append(frame(0x1, false, bytes.Repeat([]byte("d"), 1000)), frame(0x0, true, bytes.Repeat([]byte("e"), 1000))...)
	for _, chunk := range []int{1, 3, 7, 64, 4096} {
		for _, tc := range []struct {
			name    string
			stream  []byte
			allowed int // bytes delivered before the error
			tooBig  bool
		}{
			{"within limit", append(append(append([]byte{}, small...), medium...), ping...), len(small) + len(medium) + len(ping), false},
			{"fragments each within limit", fragmented, len(fragmented), false},
			{"oversize frame after good ones", append(append([]byte{}, small...), big...), len(small), true},
			{"oversize first frame", big, 0, true},
		} {
			g := newFrameGuard(&chunkConn{r: bytes.NewReader(tc.stream), chunk: chunk}, 1024)
			var got []byte
			buf := make([]byte, 512)
			var err error
			for {
				var n int
				n, err = g.Read(buf)
				got = append(got, buf[:n]...)
				if err != nil {
					break
				}
			}
			if tc.tooBig != errors.Is(err, errFrameTooLarge) {
				t.Errorf("%s (chunk %d): err %v, tooBig %v", tc.name, chunk, err, tc.tooBig)
			}
			// Every byte before the oversize frame's header is delivered; none of its payload is.
			if len(got) < tc.allowed || (tc.tooBig && len(got) > tc.allowed+14) {
				t.Errorf("%s (chunk %d): delivered %d bytes, want %d", tc.name, chunk, len(got), tc.allowed)
			}
		}
	}
}

func FuzzFrameGuard(f *testing.F) {
	f.Add(frame(0x1, true, []byte("hello")), 3)
	f.Add(frame(0x1, true, bytes.Repeat([]byte("x"), 70000)), 1000)
	f.Add([]byte{0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 1)
	f.Fuzz(func(t *testing.T, stream []byte, chunk int) {
		if chunk <= 0 || chunk > 1<<16 {
			chunk = 1
		}
		g := newFrameGuard(&chunkConn{r: bytes.NewReader(stream), chunk: chunk}, 1024)
		buf := make([]byte, 256)
		total := 0
		for {
			n, err := g.Read(buf)
			if n < 0 || n > len(buf) {
				t.Fatalf("Read returned n=%d", n)
			}
			total += n
			if err != nil {
				break
			}
		}
		if total > len(stream) {
			t.Fatalf("delivered %d bytes from a %d-byte stream", total, len(stream))
		}
	})
}

func TestQueryMaps(t *testing.T) {
	single, multi := queryMaps("a=1&b=x%20y&a=2&flag&&c=%ZZ")
	if single["a"] != "2" || len(multi["a"]) != 2 || single["b"] != "x y" || single["flag"] != "" || single["c"] != "%ZZ" {
		t.Errorf("single %v multi %v", single, multi)
	}
}
