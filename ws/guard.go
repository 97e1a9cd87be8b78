package ws

import (
	"bufio"
	"errors"
	"io"
	"math"
	"net"
	"slices"
	"sync"
	"syscall"
	"unicode/utf8"

	"github.com/portico-gw/portico/internal/connlimit"
)

// The errors frameGuard.Read returns, sticky, in place of a frame it
// refuses; classify turns each into the close the gateway sends.
var (
	// errFrameTooLarge: a frame header announces a data frame over the limit.
	errFrameTooLarge = errors.New("ws: frame exceeds the frame size limit")
	// errProtocol: a frame breaks RFC 6455 framing (reserved bits or
	// opcodes, an unmasked client frame, a fragmented or oversized control
	// frame, a continuation with no message to continue, a new message
	// inside a fragmented one), or a close frame carries a 1-byte payload
	// or a code a peer may not send (1005, 1006, 1015, out of range).
	errProtocol = errors.New("ws: protocol error")
	// errInvalidCloseReason: a close frame's reason is not UTF-8.
	errInvalidCloseReason = errors.New("ws: close reason is not valid UTF-8")
)

// guardErrors are the errors frameGuard.Read returns, sticky, indexed by
// frameGuard.failed.
var guardErrors = [...]error{nil, errFrameTooLarge, errProtocol, errInvalidCloseReason}

// frameGuard sits between gorilla and the socket and parses WebSocket frame
// headers as the bytes stream by, because gorilla limits only whole messages
// while API Gateway also limits each frame (32 KB). Bytes of the frames
// before an oversized one are still delivered; the oversized frame's bytes
// never are.
//
// It also refuses the frames that break the protocol, and close frames
// whose payload is malformed, before gorilla sees them: gorilla reads a
// 1-byte close payload as "no status" and answers other protocol errors
// with a close of its own, which would leave the gateway unable to send
// and report the close RFC 6455 asks for (1002, or 1007 for a reason that
// is not UTF-8). A close frame's payload (125 bytes at most) is collected
// and unmasked to be checked.
//
// Only the connection's reader goroutine calls Read.
type frameGuard struct {
	net.Conn
	rd io.Reader // Conn, or the socket under connlimit's wrapper

	// br is gorilla's read buffer (hijackGuard hands it over). When peek
	// is set, raw is rd's descriptor, a bare socket's, and the reader waits
	// for the socket to become readable in waitReadable rather than deep in
	// gorilla (see readable.go). Set before the reader starts.
	br *bufio.Reader

	// Read state, the reader's own. ctrl is allocated for the first close
	// frame with a payload.
	remaining  uint64     // payload bytes left in the current frame
	ctrl       *[125]byte // the close frame's payload, unmasked
	max        uint32     // the frame size limit; 0: none
	hdr        [14]byte
	mask       [4]byte
	hdrN       uint8 // header bytes collected so far
	ctrlN      uint8
	fragmented bool // a data message is in progress: its last frame had no FIN
	inClose    bool // the current frame is a close frame: its payload is collected
	peek       bool
	failed     uint8 // the sticky error: its index in guardErrors; 0: none

	wmu  sync.Mutex
	wbuf *corkBuf // non-nil while corked; see cork.go. Guarded by wmu.
	// raw makes tryFlush's write(2). Guarded by wmu, except that raw, once
	// peek is set, is read-only.
	raw syscall.RawConn
}

// newFrameGuard returns a guard of nc that refuses data frames over limit
// bytes (0: no limit; a limit past 4 GiB counts as 4 GiB, far beyond any
// message gorilla's read limit lets through). It reads the socket under connlimit's wrapper, if
// any, which spares the parked reader a frame (conn.startReader); the
// wrapper still handles everything else, Close and deadlines above all.
func newFrameGuard(nc net.Conn, limit int64) *frameGuard {
	return &frameGuard{Conn: nc, rd: connlimit.Reader(nc), max: uint32(min(max(limit, 0), math.MaxUint32))}
}

func (g *frameGuard) Read(p []byte) (int, error) {
	if g.failed != 0 {
		return 0, guardErrors[g.failed]
	}
	n, err := g.rd.Read(p)
	if n > 0 {
		return g.scan(p, n, err)
	}
	return n, err
}

// scan checks the n bytes a Read put in p. It is Read's body, apart so
// that a reader parked in Read carries Read's small frame only (see
// conn.startReader).
func (g *frameGuard) scan(p []byte, n int, err error) (int, error) {
	frameStart := 0 // where the last frame header started in p
	for i := 0; i < n; {
		if g.remaining > 0 {
			skip := uint64(n - i)
			if skip > g.remaining {
				skip = g.remaining
			}
			if g.inClose {
				for _, b := range p[i : i+int(skip)] {
					g.ctrl[g.ctrlN] = b ^ g.mask[g.ctrlN&3]
					g.ctrlN++
				}
			}
			i += int(skip)
			g.remaining -= skip
			if g.inClose && g.remaining == 0 {
				g.inClose = false
				if perr := checkClosePayload(g.ctrl[:g.ctrlN]); perr != nil {
					return g.refuse(perr, frameStart)
				}
			}
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
		if int(g.hdrN) < need {
			continue
		}
		length := payloadLen(g.hdr[:g.hdrN])
		hdrN := g.hdrN
		g.hdrN = 0
		if perr := g.checkHeader(); perr != nil {
			return g.refuse(perr, frameStart)
		}
		isControl := g.hdr[0]&0x08 != 0
		if !isControl && g.max > 0 && length > uint64(g.max) {
			return g.refuse(errFrameTooLarge, frameStart)
		}
		g.remaining = length
		if g.hdr[0]&0x0f == opClose && length > 0 {
			g.inClose = true
			g.ctrlN = 0
			if g.ctrl == nil {
				g.ctrl = new([125]byte)
			}
			copy(g.mask[:], g.hdr[hdrN-4:hdrN]) // checkHeader required the mask
		}
	}
	return n, err
}

// refuse makes err, one of guardErrors, sticky and delivers the bytes before the refused frame,
// which starts at frameStart in this Read's buffer or, when 0, in an earlier
// one (gorilla then never gets the rest of it).
func (g *frameGuard) refuse(err error, frameStart int) (int, error) {
	g.failed = uint8(slices.Index(guardErrors[:], err))
	if frameStart > 0 {
		return frameStart, nil
	}
	return 0, err
}

// Frame opcodes (RFC 6455 §5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

// checkHeader checks a complete client frame header in g.hdr against RFC
// 6455 §5, as gorilla's advanceFrame does, and tracks fragmentation. No
// extension is negotiated, so every reserved bit must be clear.
func (g *frameGuard) checkHeader() error {
	b0, b1 := g.hdr[0], g.hdr[1]
	fin := b0&0x80 != 0
	if b0&0x70 != 0 || b1&0x80 == 0 {
		return errProtocol // reserved bits, or an unmasked client frame
	}
	switch b0 & 0x0f {
	case opContinuation:
		if !g.fragmented {
			return errProtocol
		}
		g.fragmented = !fin
	case opText, opBinary:
		if g.fragmented {
			return errProtocol
		}
		g.fragmented = !fin
	case opClose, opPing, opPong:
		if !fin || b1&0x7f > 125 {
			return errProtocol
		}
	default:
		return errProtocol
	}
	return nil
}

// checkClosePayload checks a non-empty close frame payload (RFC 6455
// §5.5.1, §7.4): a 2-byte code a peer may send, then a UTF-8 reason.
func checkClosePayload(p []byte) error {
	if len(p) < 2 {
		return errProtocol
	}
	if !validReceivedCloseCode(int(p[0])<<8 | int(p[1])) {
		return errProtocol
	}
	if !utf8.Valid(p[2:]) {
		return errInvalidCloseReason
	}
	return nil
}

// validReceivedCloseCode reports whether a peer may send code: the codes
// gorilla accepts (1000-1003, 1007-1013) and the registered and private
// ranges 3000-4999. 1004, 1005, 1006 and 1015 are reserved, the rest of
// 0-2999 unassigned.
func validReceivedCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1013:
		return true
	default:
		return code >= 3000 && code <= 4999
	}
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
