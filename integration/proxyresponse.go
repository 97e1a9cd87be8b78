package integration

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"

	"github.com/portico-gw/portico/expr"
)

// proxyResponseKeys are the keys a Lambda proxy response may hold.
var proxyResponseKeys = map[string]bool{
	"statusCode":        true,
	"headers":           true,
	"multiValueHeaders": true,
	"body":              true,
	"isBase64Encoded":   true,
	"cookies":           true,
}

// parseProxyResponse reads a Lambda proxy response (the WebSocket flavour,
// strict like REST APIs; see doc.go for every rule).
func parseProxyResponse(payload []byte) (*Response, error) {
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return &Response{StatusCode: http.StatusOK, Header: http.Header{}}, nil
	}
	malformed := func(err error, format string, args ...any) error {
		return &MalformedResponseError{Reason: fmt.Sprintf(format, args...), Payload: payload, Err: err}
	}
	if trimmed[0] != '{' {
		return nil, malformed(nil, "not a JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		return nil, malformed(err, "not a JSON object")
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !proxyResponseKeys[k] {
			return nil, malformed(nil, "unexpected key %q", k)
		}
	}
	// field decodes fields[key] into v; it reports false when the key is
	// absent or null.
	field := func(key string, v any) (bool, error) {
		raw, ok := fields[key]
		if !ok || string(raw) == "null" {
			return false, nil
		}
		return true, json.Unmarshal(raw, v)
	}

	resp := &Response{StatusCode: http.StatusOK, Header: http.Header{}}
	var status float64
	if ok, err := field("statusCode", &status); err != nil {
		return nil, malformed(nil, "statusCode is not a number")
	} else if ok {
		if status != math.Trunc(status) || status < 100 || status > 599 {
			return nil, malformed(nil, "statusCode %v is not an HTTP status", status)
		}
		resp.StatusCode = int(status)
	}

	var multi map[string][]string
	if _, err := field("multiValueHeaders", &multi); err != nil {
		return nil, malformed(nil, "multiValueHeaders is not an object of string arrays")
	}
	for _, name := range slices.Sorted(maps.Keys(multi)) {
		for _, v := range multi[name] {
			if err := addHeader(resp.Header, name, v); err != nil {
				return nil, malformed(nil, "multiValueHeaders: %v", err)
			}
		}
	}
	var single map[string]string
	if _, err := field("headers", &single); err != nil {
		return nil, malformed(nil, "headers is not an object of strings")
	}
	for _, name := range slices.Sorted(maps.Keys(single)) {
		v := single[name]
		if slices.Contains(resp.Header.Values(name), v) {
			continue // the same pair in multiValueHeaders appears once
		}
		if err := addHeader(resp.Header, name, v); err != nil {
			return nil, malformed(nil, "headers: %v", err)
		}
	}
	var cookies []string
	if _, err := field("cookies", &cookies); err != nil {
		return nil, malformed(nil, "cookies is not an array of strings")
	}
	for _, c := range cookies {
		if err := addHeader(resp.Header, "Set-Cookie", c); err != nil {
			return nil, malformed(nil, "cookies: %v", err)
		}
	}

	var body string
	if _, err := field("body", &body); err != nil {
		return nil, malformed(nil, "body is not a string")
	}
	var isBase64 bool
	if _, err := field("isBase64Encoded", &isBase64); err != nil {
		return nil, malformed(nil, "isBase64Encoded is not a boolean")
	}
	if isBase64 {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, malformed(err, "body is not valid base64")
		}
		resp.Body = b
	} else if body != "" {
		resp.Body = []byte(body)
	}
	return resp, nil
}

// addHeader adds one header field after checking that it can be written on
// the wire.
func addHeader(h http.Header, name, value string) error {
	if !validHeaderName(name) {
		return fmt.Errorf("invalid header name %q", name)
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c == '\r' || c == '\n' || c == 0 {
			return fmt.Errorf("invalid value for header %q", name)
		}
	}
	h.Add(name, value)
	return nil
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool { return expr.ValidHeaderName(name) }
