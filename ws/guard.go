package ws

import (
	"errors"
	"net"
	"sync"
	"syscall"
)

// errFrameTooLarge is returned by frameGuard.Read once a frame header
// announces a data frame over the limit.
var errFrameTooLarge = errors.New("ws: frame exceeds the frame size limit")

// frameGuard sits between gorilla and the socket and parses WebSocket frame
// headers as the bytes stream by, because gorilla limits only whole messages
// while API Gateway also limits each frame (32 KB). Bytes of the frames
// before an oversized one are still delivered; the oversized frame's bytes
// never are.
//
// Only the connection's reader goroutine calls Read.
type frameGuard struct {
	net.Conn
	max int64

	hdr       [14]byte
	hdrN      int    // header bytes collected so far
	remaining uint64 // payload bytes left in the current frame
	err       error  // sticky

	wmu     sync.Mutex
	wbuf    *[]byte // non-nil while corked; see cork.go
	flushAt int
	// raw and rawWrite make tryFlush's write(2); rawN and rawErr are its
	// result. Guarded by wmu.
	raw      syscall.RawConn
	rawWrite func(fd uintptr) bool
	rawN     int
	rawErr   error
}

func (g *frameGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.Conn.Read(p)
	frameStart := 0
	for i := 0; i < n; {
		if g.remaining > 0 {
			skip := uint64(n - i)
			if skip > g.remaining {
				skip = g.remaining
			}
			i += int(skip)
			g.remaining -= skip
			continue
		}
		if g.hdrN == 0 {
			frameStart = i
		}
		g.hdr[g.hdrN] = p[i]
		g.hdrN++
		i++
		need := 2
		if g.hdrN >= 2 {
			need = headerLen(g.hdr[1])
		}
		if g.hdrN < need {
			continue
		}
		length := payloadLen(g.hdr[:g.hdrN])
		g.hdrN = 0
		isControl := g.hdr[0]&0x08 != 0
		if !isControl && g.max > 0 && length > uint64(g.max) {
			g.err = errFrameTooLarge
			if frameStart > 0 {
				return frameStart, nil
			}
			return 0, g.err
		}
		g.remaining = length
	}
	return n, err
}

// headerLen returns a frame header's length from its second byte.
func headerLen(b1 byte) int {
	n := 2
	switch b1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&0x80 != 0 {
		n += 4
	}
	return n
}

func payloadLen(h []byte) uint64 {
	switch l := h[1] & 0x7f; l {
	case 126:
		return uint64(h[2])<<8 | uint64(h[3])
	case 127:
		var v uint64
		for _, b := range h[2:10] {
			v = v<<8 | uint64(b)
		}
		return v
	default:
		return uint64(l)
	}
}
