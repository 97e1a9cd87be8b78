package integration

import (
	"net/http"
	"reflect"
	"testing"
)

// TestForwardHeaderSet holds forwardHeaderSet to a Clone, Sets and
// forwardHeader: the set fields replace the header's of the same name, the
// header is not modified, and hop-by-hop fields still go.
func TestForwardHeaderSet(t *testing.T) {
	h := http.Header{
		"X-Forwarded-For": {"1.1.1.1", "2.2.2.2"},
		"Accept":          {"a", "b"},
		"Connection":      {"X-Hop"},
		"X-Hop":           {"gone"},
		"Forwarded":       {"old"},
	}
	before := h.Clone()
	set := []Field{{"X-Forwarded-For", "1.1.1.1, 2.2.2.2, 3.3.3.3"}, {"Forwarded", "for=3.3.3.3"}, {"X-Amzn-Trace-Id", "Root=1"}, {"Forwarded", "for=4.4.4.4"}}
	got := forwardHeaderSet(h, set, true)
	want := h.Clone()
	for _, f := range set {
		want.Set(f.Name, f.Value)
	}
	want = forwardHeader(want, true)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("forwardHeaderSet = %v; want %v", got, want)
	}
	if !reflect.DeepEqual(h, before) {
		t.Errorf("the header changed: %v", h)
	}
	if got := forwardHeaderSet(nil, set[:1], false); !reflect.DeepEqual(got, http.Header{"X-Forwarded-For": {set[0].Value}}) {
		t.Errorf("forwardHeaderSet(nil, ...) = %v", got)
	}
}
