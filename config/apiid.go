package config

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
)

// API identity. An API's ID is part of every connection's callback URL and
// of its execute-api host name, so it must not change while the API stays:
// a reload of the same file that handed open connections a new ID would
// answer 410 Gone to every @connections call for them. An API without
// apiId therefore gets an ID derived from its name, the same on every load
// and on every node; a second API with the same name (or a name whose ID
// another API already uses) gets the next ID of the same derivation, in
// file order. Renaming an API without apiId changes its ID: give the API an
// apiId to keep it across renames.

// AssignAPIIDs gives every API of f without an apiId its stable ID (see
// StableAPIID). Load and Parse call it after validation; a File built in
// code may be passed through it too. It changes f and nothing else.
func (f *File) AssignAPIIDs() {
	taken := make(map[string]bool, len(f.APIs))
	for _, a := range f.APIs {
		if a.APIID != "" {
			taken[a.APIID] = true
		}
	}
	for i := range f.APIs {
		a := &f.APIs[i]
		if a.APIID == "" {
			a.APIID = StableAPIID(a.Name, func(id string) bool { return taken[id] })
			taken[a.APIID] = true
		}
	}
}

// StableAPIID returns the ID an API named name gets when it has no apiId:
// 10 lowercase alphanumerics, as API Gateway's IDs look, derived from the
// name with SHA-256. When taken reports an ID as used, the derivation goes
// on to the next candidate, so the result is the same for the same names in
// the same order. taken may be nil.
func StableAPIID(name string, taken func(string) bool) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	for n := 0; ; n++ {
		seed := "portico-api\x00" + name
		if n > 0 {
			seed += "\x00" + strconv.Itoa(n)
		}
		sum := sha256.Sum256([]byte(seed))
		v := binary.BigEndian.Uint64(sum[:8])
		id := make([]byte, 10)
		for i := range id {
			id[i] = alphabet[v%uint64(len(alphabet))]
			v /= uint64(len(alphabet))
		}
		if taken == nil || !taken(string(id)) {
			return string(id)
		}
	}
}
