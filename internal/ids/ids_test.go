package ids

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestConnectionIDShape(t *testing.T) {
	node := NewNodeID()
	if len(node) != NodeIDLen || node[0] == '-' {
		t.Fatalf("node ID %q", node)
	}
	seen := make(map[string]bool)
	for i := 0; i < 10000; i++ {
		id := NewConnectionID(node)
		if len(id) != IDLen || !strings.HasSuffix(id, "=") || id[0] == '-' {
			t.Fatalf("connection ID %q: want 16 chars ending in '=' not starting with '-'", id)
		}
		if !Valid(id) {
			t.Fatalf("Valid(%q) = false", id)
		}
		if got, ok := NodeOf(id); !ok || got != node {
			t.Fatalf("NodeOf(%q) = %q, %v; want %q", id, got, ok, node)
		}
		if seen[id] {
			t.Fatalf("duplicate ID %q", id)
		}
		seen[id] = true
	}
}

func TestRequestIDShape(t *testing.T) {
	for i := 0; i < 1000; i++ {
		id := NewRequestID()
		if !Valid(id) || id[0] == '-' {
			t.Fatalf("request ID %q", id)
		}
	}
}

func TestRequestIDsShape(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		requestID, apigwID := NewRequestIDs()
		u, err := uuid.Parse(requestID)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || u.String() != requestID {
			t.Fatalf("x-amzn-RequestId %q: %v, version %v, variant %v; want uuid.NewString's form", requestID, err, u.Version(), u.Variant())
		}
		if !Valid(apigwID) || apigwID[0] == '-' {
			t.Fatalf("x-amz-apigw-id %q", apigwID)
		}
		if seen[requestID] || seen[apigwID] {
			t.Fatalf("repeated ID %q or %q", requestID, apigwID)
		}
		seen[requestID], seen[apigwID] = true, true
	}
}

func BenchmarkNewRequestIDs(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NewRequestIDs()
	}
}

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"R1kmxc2VNjMCFIA=", true},
		{"TXzPWdnOjoECGjA=", true},
		{"R1kmxc2VNjMCFIA", false},
		{"R1kmxc2VNjMCFIB=", false}, // non-canonical last character
		{"R1kmxc2VNjMC+IA=", false},
		{"", false},
		{"R1kmxc2VNjMCFIA==", false},
	} {
		if got := Valid(tc.id); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestUUIDValue(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		v := NewUUIDValue()
		if len(v) != 1 || cap(v) != 1 {
			t.Fatalf("len %d cap %d, want 1 and 1", len(v), cap(v))
		}
		u, err := uuid.Parse(v[0])
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || u.String() != v[0] || seen[v[0]] {
			t.Fatalf("%q: %v, version %v, variant %v, seen %v; want uuid.NewString's form", v[0], err, u.Version(), u.Variant(), seen[v[0]])
		}
		seen[v[0]] = true
	}
	// uuid.New allocates once unless EnableFastRandom's pool is on.
	random := testing.AllocsPerRun(100, func() { _ = uuid.New() })
	if n := testing.AllocsPerRun(100, func() { _ = NewUUIDValue() }); n != random+1 {
		t.Errorf("NewUUIDValue allocates %v times, want %v", n, random+1)
	}
}
