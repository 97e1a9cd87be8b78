package config

import (
	"regexp"
	"testing"
)

func TestAssignAPIIDs(t *testing.T) {
	t.Parallel()
	idRE := regexp.MustCompile(`^[a-z0-9]{10}$`)
	mk := func() *File {
		return &File{APIs: []API{{Name: "chat"}, {Name: "chat"}, {APIID: "given", Name: "web"}, {Name: "web"}}}
	}
	f := mk()
	f.AssignAPIIDs()
	seen := map[string]bool{}
	for i, a := range f.APIs {
		if seen[a.APIID] {
			t.Errorf("APIs[%d]: duplicate ID %q", i, a.APIID)
		}
		seen[a.APIID] = true
		if i != 2 && !idRE.MatchString(a.APIID) {
			t.Errorf("APIs[%d]: ID %q does not look like API Gateway's", i, a.APIID)
		}
	}
	if f.APIs[2].APIID != "given" {
		t.Errorf("a given apiId changed to %q", f.APIs[2].APIID)
	}
	// The same names in the same order give the same IDs, on every load and
	// on every node.
	g := mk()
	g.AssignAPIIDs()
	for i := range f.APIs {
		if f.APIs[i].APIID != g.APIs[i].APIID {
			t.Errorf("APIs[%d]: %q then %q", i, f.APIs[i].APIID, g.APIs[i].APIID)
		}
	}
	if StableAPIID("chat", nil) != f.APIs[0].APIID {
		t.Error("the first API named chat did not get StableAPIID(chat)")
	}
	// Another API added before it does not move an API's ID.
	h := &File{APIs: []API{{Name: "other"}, {Name: "chat"}}}
	h.AssignAPIIDs()
	if h.APIs[1].APIID != f.APIs[0].APIID {
		t.Errorf("adding an API moved chat's ID from %q to %q", f.APIs[0].APIID, h.APIs[1].APIID)
	}
}

func TestParseAssignsStableIDs(t *testing.T) {
	t.Parallel()
	const src = `apis:
  - name: chat
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    stages: [{stageName: dev}]
`
	a, err := Parse("a.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("a.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if a.APIs[0].APIID == "" || a.APIs[0].APIID != b.APIs[0].APIID {
		t.Errorf("IDs %q and %q; want one stable ID", a.APIs[0].APIID, b.APIs[0].APIID)
	}
}
