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

// AssignAPIIDs gives every API of f without an apiId, and every REST API
// without a restApiId, its stable ID (see StableAPIID); both kinds share
// one namespace, and apis get theirs first. A usage plan's apiStages that
// name an API by its name (it had no ID) are rewritten to the ID it got,
// resolved as validation does: a REST API's ID, a REST API's name, an
// apis' apiId, an apis' name. Load and Parse call it after validation; a File built in
// code may be passed through it too. It changes f and nothing else.
func (f *File) AssignAPIIDs() {
	taken := make(map[string]bool, len(f.APIs)+len(f.RestAPIs))
	for _, a := range f.APIs {
		if a.APIID != "" {
			taken[a.APIID] = true
		}
	}
	written := map[string]bool{} // the REST APIs' own IDs
	for _, a := range f.RestAPIs {
		if a.RestAPIID != "" {
			taken[a.RestAPIID] = true
			written[a.RestAPIID] = true
		}
	}
	isTaken := func(id string) bool { return taken[id] }
	namedV2 := map[string]string{} // apis' name → the ID it got
	for i := range f.APIs {
		a := &f.APIs[i]
		if a.APIID == "" {
			a.APIID = StableAPIID(a.Name, isTaken)
			taken[a.APIID] = true
			if _, ok := namedV2[a.Name]; !ok {
				namedV2[a.Name] = a.APIID
			}
		}
	}
	named := map[string]string{} // REST API name → the ID it got
	for i := range f.RestAPIs {
		a := &f.RestAPIs[i]
		if a.RestAPIID == "" {
			a.RestAPIID = StableAPIID(a.Name, isTaken)
			taken[a.RestAPIID] = true
			if _, ok := named[a.Name]; !ok {
				named[a.Name] = a.RestAPIID
			}
		}
	}
	for i := range f.UsagePlans {
		for j := range f.UsagePlans[i].APIStages {
			s := &f.UsagePlans[i].APIStages[j]
			if written[s.APIID] {
				continue
			}
			if id, ok := named[s.APIID]; ok {
				s.APIID = id
			} else if id, ok := namedV2[s.APIID]; ok && !taken[s.APIID] {
				s.APIID = id
			}
		}
	}
}

// StableAPIID returns the ID an API named name gets when it has no apiId:
// 10 lowercase alphanumerics, as API Gateway's IDs look, derived from the
// name with SHA-256. When taken reports an ID as used, the derivation goes
// on to the next candidate, so the result is the same for the same names in
// the same order. taken may be nil.
func StableAPIID(name string, taken func(string) bool) string {
	return stableID("portico-api", name, taken)
}

// stableID derives 10 lowercase alphanumerics from kind and name, going on
// to the next candidate while taken reports one as used.
func stableID(kind, name string, taken func(string) bool) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	for n := 0; ; n++ {
		seed := kind + "\x00" + name
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
