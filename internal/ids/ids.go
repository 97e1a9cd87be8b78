// Package ids makes the identifiers Portico hands out: node IDs, connection
// IDs and request IDs, all in Amazon API Gateway's look (16 characters of
// URL-safe base64 ending in "=").
//
// A connection ID carries the ID of the node that holds the connection in its
// first four characters (three bytes), followed by 64 random bits, so that any
// node can route an @connections call to the owner without shared state. No
// ID starts with "-", which the AWS CLI would read as an option.
//
// All functions are safe for concurrent use.
package ids

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/google/uuid"
)

// NodeIDLen is the length of a node ID in characters.
const NodeIDLen = 4

// IDLen is the length of connection, request and message IDs.
const IDLen = 16

var enc = base64.URLEncoding // with padding: 11 bytes → 15 characters + "="

// NewNodeID returns a random node ID of NodeIDLen URL-safe base64 characters
// that does not start with "-".
func NewNodeID() string {
	return randomNoDash(3)
}

// randomNoDash encodes n random bytes, drawing again until the first
// character is not "-".
func randomNoDash(n int) string {
	b := make([]byte, n)
	for {
		mustRead(b)
		if s := enc.EncodeToString(b); s[0] != '-' {
			return s
		}
	}
}

// NewConnectionID returns a connection ID owned by nodeID, which must come
// from NewNodeID.
func NewConnectionID(nodeID string) string {
	var b [11]byte
	if n, err := enc.Decode(b[:3], []byte(nodeID)); err != nil || n != 3 {
		panic("ids: invalid node ID " + nodeID)
	}
	mustRead(b[3:])
	return enc.EncodeToString(b[:])
}

// NewRequestID returns a fresh request (or message) ID in AWS's look.
func NewRequestID() string {
	var b [IDLen]byte
	putRequestID(b[:])
	return string(b[:])
}

// putRequestID writes a fresh request ID into b[:IDLen], drawing again
// until its first character is not "-" (randomNoDash for 11 bytes, without
// allocating).
func putRequestID(b []byte) {
	var r [11]byte
	for {
		mustRead(r[:])
		if enc.Encode(b[:IDLen], r[:]); b[0] != '-' {
			return
		}
	}
}

// NewRequestIDs returns what a REST API answers every request with: a fresh
// x-amzn-RequestId, a random version-4 UUID as uuid.NewString makes it
// (from the pool that EnableFastRandom turns on), and a fresh x-amz-apigw-id
// as NewRequestID makes it. Both share one allocation.
func NewRequestIDs() (requestID, apigwID string) {
	var b [uuidLen + IDLen]byte
	putUUID(b[:uuidLen])
	putRequestID(b[uuidLen:])
	s := string(b[:])
	return s[:uuidLen], s[uuidLen:]
}

const uuidLen = 36 // xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx

// putUUID writes a random version-4 UUID into b[:uuidLen], as
// uuid.NewString formats it.
func putUUID(b []byte) {
	u := uuid.New()
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
}

// uuidValue is a header value list of one UUID and the UUID's bytes, in
// one allocation.
type uuidValue struct {
	v [1]string
	b [uuidLen]byte
}

// NewUUIDValue returns a header's value list holding one fresh UUID, as
// []string{uuid.NewString()} does, in one allocation instead of two: the
// string's bytes live in the same object as the list, and are never written
// again. The list's capacity is 1, so that appending to it copies it.
func NewUUIDValue() []string {
	p := new(uuidValue)
	putUUID(p.b[:])
	p.v[0] = unsafe.String(&p.b[0], len(p.b))
	return p.v[:1:1]
}

// NodeOf returns the node ID encoded in a connection ID, and false when id is
// not a well-formed connection ID.
func NodeOf(id string) (string, bool) {
	if !Valid(id) {
		return "", false
	}
	return id[:NodeIDLen], true
}

// Valid reports whether id has the shape of a connection ID: 15 URL-safe
// base64 characters followed by "=".
func Valid(id string) bool {
	if len(id) != IDLen || id[IDLen-1] != '=' {
		return false
	}
	for i := 0; i < IDLen-1; i++ {
		c := id[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	// The last data character encodes 4 bits: its low 2 bits must be zero.
	return strings.IndexByte("AEIMQUYcgkosw048", id[IDLen-2]) >= 0
}

func mustRead(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic("ids: crypto/rand: " + err.Error()) // crypto/rand never fails on Linux
	}
}

// NewTraceID returns an X-Amzn-Trace-Id value in X-Ray's format,
// Root=1-{epoch seconds, hex}-{96 random bits, hex}, as API Gateway adds to
// the requests it passes on.
func NewTraceID(now time.Time) string {
	var b [12]byte
	mustRead(b[:])
	// One allocation: the value is built on the stack, then copied.
	var buf [64]byte
	out := append(buf[:0], "Root=1-"...)
	out = strconv.AppendInt(out, now.Unix(), 16)
	out = append(out, '-')
	out = hex.AppendEncode(out, b[:])
	return string(out)
}

// EnableFastRandom makes the version-4 UUIDs of the process (the
// x-amzn-RequestId of @connections answers) come from a buffered pool of
// random bytes, refilled from crypto/rand in batches, instead of one
// getrandom(2) each ([uuid.EnableRandPool]). The IDs stay random version-4
// UUIDs; the pool keeps upcoming random bytes on the Go heap.
//
// The setting is process-wide and not safe to change while UUIDs are being
// made, so no package turns it on by itself: a program calls
// EnableFastRandom once, at the start of main, before it starts goroutines.
// cmd/portico does, for serve and bench alike; a program that embeds
// Portico without calling it gets the same IDs, one system call each.
func EnableFastRandom() { uuid.EnableRandPool() }
