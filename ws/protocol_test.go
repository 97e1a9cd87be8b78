package ws

import (
	"bytes"
	"strings"
	"testing"
)

// Malformed frames, as Autobahn's families 3 (reserved bits), 4 (opcodes),
// 5 (fragmentation), 6 (UTF-8) and 7 (close) send them: the gateway answers
// with the close RFC 6455 asks for, $disconnect reports it, and nothing
// malformed reaches an integration.
func TestProtocolErrors(t *testing.T) {
	text := func(fin bool, p string) []byte {
		b0 := byte(opText)
		if fin {
			b0 |= finBit
		}
		return clientFrame(b0, []byte(p), true)
	}
	cont := func(fin bool, p string) []byte {
		b0 := byte(opContinuation)
		if fin {
			b0 |= finBit
		}
		return clientFrame(b0, []byte(p), true)
	}
	closeFrame := func(p []byte) []byte { return clientFrame(finBit|opClose, p, true) }
	// closeNormal follows the frames before it at once, racing their
	// answers (TestClientCloseRacesWrites repeats that race).
	closeNormal := closeFrame(closePayload(1000, ""))

	for _, tc := range []struct {
		name   string
		frames [][]byte
		// sent is the code of the gateway's close frame; reported is what
		// $disconnect says; routed is how many messages reached $default.
		sent     int
		reported closeStatus
		routed   int64
	}{
		// RFC 6455 §8.1: invalid UTF-8 in a text message fails the connection with 1007.
		{"invalid UTF-8 text", [][]byte{text(true, "\xff\xfe")}, 1007, closeInvalidPayload, 0},
		{"invalid UTF-8 after valid text", [][]byte{text(true, "ok"), text(true, "caf\xc3\x28")}, 1007, closeInvalidPayload, 1},
		{"invalid UTF-8 across fragments", [][]byte{text(false, "caf\xc3"), cont(true, "\x28")}, 1007, closeInvalidPayload, 0},
		{"truncated UTF-8 at the end", [][]byte{text(false, "ab"), cont(true, "\xe2\x82")}, 1007, closeInvalidPayload, 0},
		{"surrogate half", [][]byte{text(true, "\xed\xa0\x80")}, 1007, closeInvalidPayload, 0},
		{"valid UTF-8 split across fragments", [][]byte{text(false, "caf\xc3"), cont(true, "\xa9"), closeNormal}, 1000, closeStatus{1000, ""}, 1},

		// Close frames (§5.5.1, §7.4).
		{"close with a 1-byte payload", [][]byte{closeFrame([]byte{0x03})}, 1002, closeProtocolError, 0},
		{"close code 1005", [][]byte{closeFrame(closePayload(1005, ""))}, 1002, closeProtocolError, 0},
		{"close code 1006", [][]byte{closeFrame(closePayload(1006, ""))}, 1002, closeProtocolError, 0},
		{"close code 1015", [][]byte{closeFrame(closePayload(1015, ""))}, 1002, closeProtocolError, 0},
		{"close code 1004", [][]byte{closeFrame(closePayload(1004, ""))}, 1002, closeProtocolError, 0},
		{"close code 999", [][]byte{closeFrame(closePayload(999, ""))}, 1002, closeProtocolError, 0},
		{"close code 2000", [][]byte{closeFrame(closePayload(2000, ""))}, 1002, closeProtocolError, 0},
		{"close code 5000", [][]byte{closeFrame(closePayload(5000, ""))}, 1002, closeProtocolError, 0},
		{"close reason not UTF-8", [][]byte{closeFrame(closePayload(1000, "bye\xff"))}, 1007, closeInvalidPayload, 0},
		{"close 1000 with a reason", [][]byte{closeFrame(closePayload(1000, "bye"))}, 1000, closeStatus{1000, "bye"}, 0},
		{"close 1001", [][]byte{closeFrame(closePayload(1001, ""))}, 1001, closeStatus{1001, ""}, 0},
		{"close 4001", [][]byte{closeFrame(closePayload(4001, "app"))}, 4001, closeStatus{4001, "app"}, 0},
		{"close 1013", [][]byte{closeFrame(closePayload(1013, ""))}, 1013, closeStatus{1013, ""}, 0},
		{"empty close", [][]byte{closeFrame(nil)}, 1000, closeNoStatus, 0},
		{"close after a message", [][]byte{text(true, "x"), closeNormal}, 1000, closeStatus{1000, ""}, 1},

		// Framing (§5.2, §5.4, §5.5).
		{"RSV1 without an extension", [][]byte{clientFrame(finBit|rsv1Bit|opText, []byte("x"), true)}, 1002, closeProtocolError, 0},
		{"reserved data opcode 3", [][]byte{clientFrame(finBit|0x3, []byte("x"), true)}, 1002, closeProtocolError, 0},
		{"reserved control opcode 11", [][]byte{clientFrame(finBit|0xb, nil, true)}, 1002, closeProtocolError, 0},
		{"unmasked frame", [][]byte{clientFrame(finBit|opText, []byte("x"), false)}, 1002, closeProtocolError, 0},
		{"ping over 125 bytes", [][]byte{clientFrame(finBit|opPing, bytes.Repeat([]byte("p"), 126), true)}, 1002, closeProtocolError, 0},
		{"fragmented ping", [][]byte{clientFrame(opPing, []byte("p"), true)}, 1002, closeProtocolError, 0},
		{"continuation with nothing to continue", [][]byte{cont(true, "x")}, 1002, closeProtocolError, 0},
		{"text inside a fragmented message", [][]byte{text(false, "a"), text(true, "b")}, 1002, closeProtocolError, 0},
		{"ping between fragments", [][]byte{text(false, "a"), clientFrame(finBit|opPing, []byte("p"), true), cont(true, "b"), closeNormal}, 1000, closeStatus{1000, ""}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newRawGateway(t, Config{}, Limits{}, echo(0))
			c := g.dialRaw(t)
			for _, f := range tc.frames {
				if _, err := c.Write(f); err != nil {
					t.Fatal(err)
				}
			}
			code, reason := c.readClose(t)
			if code != tc.sent {
				t.Errorf("close frame %d %q, want %d", code, reason, tc.sent)
			}
			if (code == 1002 || code == 1007) && reason != tc.reported.Reason {
				t.Errorf("close reason %q, want %q", reason, tc.reported.Reason)
			}
			_, _ = c.Write(closeFrame(closePayload(code, ""))) // answer, as a client does
			if got := g.nextDisconnect(t); got != tc.reported {
				t.Errorf("$disconnect reported %+v, want %+v", got, tc.reported)
			}
			// A valid message's invocation runs on its own goroutine and
			// may end after $disconnect.
			waitUntil(t, func() bool { return g.messages.Load() >= tc.routed })
			if got := g.messages.Load(); got != tc.routed {
				t.Errorf("%d messages routed, want %d", got, tc.routed)
			}
		})
	}
}

// A close frame split across reads, and across frameGuard's buffer, is
// still checked whole.
func TestProtocolErrors_CloseSplitAcrossWrites(t *testing.T) {
	for _, split := range []int{1, 2, 3, 6, 7} {
		g := newRawGateway(t, Config{}, Limits{}, echo(0))
		c := g.dialRaw(t)
		f := clientFrame(finBit|opClose, closePayload(1000, "caf\xc3\x28"+strings.Repeat("x", 50)), true)
		for i := 0; i < len(f); i += split {
			_, _ = c.Write(f[i:min(i+split, len(f))])
		}
		if code, _ := c.readClose(t); code != 1007 {
			t.Errorf("split %d: close %d, want 1007", split, code)
		}
		if got := g.nextDisconnect(t); got != closeInvalidPayload {
			t.Errorf("split %d: $disconnect reported %+v", split, got)
		}
	}
}
