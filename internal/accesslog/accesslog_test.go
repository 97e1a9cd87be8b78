package accesslog

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, format string
		wantErr      string
	}{
		{"default", DefaultFormat, ""},
		{"clf", `$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey $context.protocol" $context.status $context.responseLength $context.requestId`, ""},
		{"trailing dot", `status $context.status.`, ""},
		{"dollar text", `cost: $5 $contextual`, ""},
		{"unknown", `{"x":"$context.authorizer.claims.sub"}`, "$context.authorizer.claims.sub (at byte 6): unknown variable"},
		{"empty name", `$context.`, "a variable name must follow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.format)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Parse: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Parse error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestDefaultFormatIsJSON(t *testing.T) {
	f, err := Parse(DefaultFormat)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	l, _ := NewLogger(f, NewSink(&buf))
	l.Log(&Record{
		APIID: "api", Stage: "dev", RequestID: "r1", RouteKey: "$connect", EventType: "CONNECT",
		ConnectionID: "abc=", SourceIP: "127.0.0.1", Status: 101,
		ErrorMessage: "bad \"quote\" \\ and\nnewline\x01", IntegrationLatency: 12 * time.Millisecond,
		RequestTime: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	})
	l.Log(&Record{})
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines: %q", len(lines), buf.String())
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
		t.Fatalf("line is not JSON: %v: %s", err, lines[0])
	}
	want := map[string]string{
		"requestId": "r1", "routeKey": "$connect", "status": "101", "integrationLatency": "12",
		"requestTime": "02/Jan/2024:03:04:05 +0000", "error": "bad \"quote\" \\ and\nnewline\x01",
		"responseLength": "0", "path": "-",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
	if err := json.Unmarshal([]byte(lines[1]), &m); err != nil || m["status"] != "-" {
		t.Fatalf("empty record: %v %v", err, m)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(DefaultFormat)
	f.Add("$context.$context.status$")
	f.Fuzz(func(t *testing.T, s string) {
		fm, err := Parse(s)
		if err != nil {
			return
		}
		out := fm.Append(nil, &Record{ErrorMessage: s, Status: 200})
		if strings.Contains(s, "$context") {
			return
		}
		if string(out) != s {
			t.Fatalf("literal format changed: %q → %q", s, out)
		}
	})
}
