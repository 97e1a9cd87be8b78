package rest

import (
	"encoding/base64"
	"testing"
)

// convertResponse against AWS's response table
// (api-gateway-payload-encodings-workflow), row by row: the payload's kind,
// whether the Accept header names a binary media type, contentHandling.
func TestConvertResponseTable(t *testing.T) {
	text := []byte("aGVsbG8=") // base64 of "hello", which is also valid text
	bin := []byte{0x89, 'P', 'N', 'G'}
	b64 := []byte(base64.StdEncoding.EncodeToString(bin))
	rows := []struct {
		name         string
		body         []byte
		binary       bool
		acceptBinary bool
		handling     string
		want         string
	}{
		{"text, text Accept, none", text, false, false, "", string(text)},
		{"text, text Accept, CONVERT_TO_BINARY", text, false, false, "CONVERT_TO_BINARY", "hello"},
		{"text, text Accept, CONVERT_TO_TEXT", text, false, false, "CONVERT_TO_TEXT", string(text)},
		{"text, binary Accept, none", text, false, true, "", "hello"},
		{"text, binary Accept, CONVERT_TO_BINARY", text, false, true, "CONVERT_TO_BINARY", "hello"},
		{"text, binary Accept, CONVERT_TO_TEXT", text, false, true, "CONVERT_TO_TEXT", string(text)},
		{"binary, text Accept, none", bin, true, false, "", string(b64)},
		{"binary, text Accept, CONVERT_TO_BINARY", bin, true, false, "CONVERT_TO_BINARY", string(bin)},
		{"binary, text Accept, CONVERT_TO_TEXT", bin, true, false, "CONVERT_TO_TEXT", string(b64)},
		{"binary, binary Accept, none", bin, true, true, "", string(bin)},
		{"binary, binary Accept, CONVERT_TO_BINARY", bin, true, true, "CONVERT_TO_BINARY", string(bin)},
		{"binary, binary Accept, CONVERT_TO_TEXT", bin, true, true, "CONVERT_TO_TEXT", string(b64)},
	}
	for _, r := range rows {
		got, err := convertResponse(r.body, r.binary, r.acceptBinary, r.handling)
		if err != nil || string(got) != r.want {
			t.Errorf("%s: %q %v, want %q", r.name, got, err, r.want)
		}
	}
	// Text that is not base64 cannot become binary: a 500, not a panic.
	if _, err := convertResponse([]byte("not base64!"), false, true, ""); err == nil {
		t.Error("decoding text that is not base64 succeeded")
	}
}

// convertRequest against AWS's request table, row by row.
func TestConvertRequestTable(t *testing.T) {
	bin := []byte{0x89, 'P', 'N', 'G'}
	b64 := base64.StdEncoding.EncodeToString(bin)
	rows := []struct {
		name       string
		body       []byte
		binary     bool
		handling   string
		want       string
		wantBinary bool
	}{
		{"text, none", []byte(`{"a":1}`), false, "", `{"a":1}`, false},
		{"text, CONVERT_TO_BINARY", []byte(b64), false, "CONVERT_TO_BINARY", string(bin), true},
		{"text, CONVERT_TO_TEXT", []byte(`{"a":1}`), false, "CONVERT_TO_TEXT", `{"a":1}`, false},
		{"binary, none", bin, true, "", string(bin), true},
		{"binary, CONVERT_TO_BINARY", bin, true, "CONVERT_TO_BINARY", string(bin), true},
		{"binary, CONVERT_TO_TEXT", bin, true, "CONVERT_TO_TEXT", b64, false},
	}
	for _, r := range rows {
		got, binary, err := convertRequest(r.body, r.binary, r.handling)
		if err != nil || string(got) != r.want || binary != r.wantBinary {
			t.Errorf("%s: %q binary %v %v, want %q binary %v", r.name, got, binary, err, r.want, r.wantBinary)
		}
	}
	if _, _, err := convertRequest([]byte("not base64!"), false, "CONVERT_TO_BINARY"); err == nil {
		t.Error("CONVERT_TO_BINARY of text that is not base64 succeeded")
	}
}
