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
)

// This file reads the results of HTTP API Lambda proxy integrations,
// payload format versions 2.0 and 1.0; doc.go lists every rule. The
// WebSocket flavour is in proxyresponse.go, the REST one in
// restresponse.go.

// ProxyResponseRules names the rules an AWS_PROXY result is read by
// (Spec.ProxyResponse); doc.go describes each.
type ProxyResponseRules int

const (
	// ProxyResponseStrict is API Gateway's Lambda proxy response read
	// strictly: WebSocket APIs. REST APIs differ in places
	// (ProxyResponseREST).
	ProxyResponseStrict ProxyResponseRules = iota
	// ProxyResponseHTTPV1 is HTTP APIs' payload format 1.0.
	ProxyResponseHTTPV1
	// ProxyResponseHTTPV2 is HTTP APIs' payload format 2.0, with its
	// inference for results without statusCode.
	ProxyResponseHTTPV2
	// ProxyResponseREST is REST APIs' Lambda proxy response (payload 1.0
	// on a REST API): stricter than HTTP APIs, laxer than WebSocket APIs
	// in places, and with binary bodies left to the request's Accept.
	ProxyResponseREST
)

// Payload format versions of HTTP API integrations (payloadFormatVersion).
const (
	payloadFormat10 = "1.0"
	payloadFormat20 = "2.0"
)

// defaultHTTPContentType is the Content-Type an HTTP API gives a structured
// Lambda proxy response that sets none (measured on AWS, 1.0 and 2.0 alike).
const defaultHTTPContentType = "text/plain; charset=utf-8"

// responseParser reads what an AWS_PROXY function returned.
type responseParser func(payload []byte) (*Response, error)

// newResponseParser returns the parser of a set of rules.
func newResponseParser(rules ProxyResponseRules) (responseParser, error) {
	switch rules {
	case ProxyResponseStrict:
		return parseProxyResponse, nil
	case ProxyResponseHTTPV1:
		return parseHTTPResponseV1, nil
	case ProxyResponseHTTPV2:
		return parseHTTPResponseV2, nil
	case ProxyResponseREST:
		return parseRESTResponse, nil
	}
	return nil, fmt.Errorf("unknown proxy response rules %d", rules)
}

// parseHTTPResponseV2 reads a payload format 2.0 result: valid JSON without
// statusCode is the body of a 200 application/json answer; an object with
// statusCode is a structured response, whose unknown keys are ignored.
func parseHTTPResponseV2(payload []byte) (*Response, error) {
	p := trimJSONSpace(payload)
	if len(p) == 0 {
		return nil, newMalformed(payload, nil, "empty result; payload format 2.0 wants JSON")
	}
	var value json.RawMessage
	if err := json.Unmarshal(p, &value); err != nil {
		return nil, newMalformed(payload, err, "not JSON")
	}
	switch p[0] {
	case '{':
		f, err := newProxyFields(payload, p)
		if err != nil {
			return nil, err
		}
		if _, ok := f.get("statusCode"); ok {
			return f.structured(false)
		}
		return inferredResponse(bytes.Clone(p)), nil
	case '"':
		var s string
		if err := json.Unmarshal(p, &s); err != nil {
			return nil, newMalformed(payload, err, "not a JSON string")
		}
		return inferredResponse([]byte(s)), nil
	default: // number, true, false, null, array
		return inferredResponse(bytes.Clone(p)), nil
	}
}

// parseHTTPResponseV1 reads a payload format 1.0 result on an HTTP API: a
// JSON object with statusCode, whose unknown keys are ignored.
func parseHTTPResponseV1(payload []byte) (*Response, error) {
	p := trimJSONSpace(payload)
	if len(p) == 0 || p[0] != '{' {
		return nil, newMalformed(payload, nil, "not a JSON object")
	}
	f, err := newProxyFields(payload, p)
	if err != nil {
		return nil, err
	}
	if _, ok := f.get("statusCode"); !ok {
		return nil, newMalformed(payload, nil, "statusCode is missing; payload format 1.0 requires it")
	}
	return f.structured(true)
}

// inferredResponse is what HTTP APIs make of a 2.0 result without
// statusCode.
func inferredResponse(body []byte) *Response {
	if len(body) == 0 {
		body = nil
	}
	return &Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       body,
	}
}

// proxyFields are the keys of a structured HTTP API proxy response.
type proxyFields struct {
	payload []byte // the whole result, for errors
	fields  map[string]json.RawMessage
}

// newProxyFields decodes obj, a JSON object inside payload.
func newProxyFields(payload, obj []byte) (proxyFields, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(obj, &fields); err != nil {
		return proxyFields{}, newMalformed(payload, err, "not a JSON object")
	}
	return proxyFields{payload: payload, fields: fields}, nil
}

// get returns the raw value of key; it reports false when the key is absent
// or null.
func (f proxyFields) get(key string) (json.RawMessage, bool) {
	raw, ok := f.fields[key]
	if !ok || string(raw) == "null" {
		return nil, false
	}
	return raw, true
}

func (f proxyFields) malformed(err error, format string, args ...any) error {
	return newMalformed(f.payload, err, format, args...)
}

// structured builds the response of an object with statusCode; multi tells
// whether multiValueHeaders is read (1.0) or ignored (2.0), and cookies is
// read for 2.0 only.
func (f proxyFields) structured(multi bool) (*Response, error) {
	resp := &Response{Header: http.Header{}}
	raw, _ := f.get("statusCode")
	var status float64
	if raw[0] == '"' || json.Unmarshal(raw, &status) != nil {
		return nil, f.malformed(nil, "statusCode %s is not a number", truncate(string(raw), 40))
	}
	if status != math.Trunc(status) || status < 100 || status > 599 {
		return nil, f.malformed(nil, "statusCode %v is not an HTTP status", status)
	}
	resp.StatusCode = int(status)

	if multi {
		if err := f.multiValueHeaders(resp.Header); err != nil {
			return nil, err
		}
	}
	if err := f.headers(resp.Header); err != nil {
		return nil, err
	}
	if !multi {
		if err := f.cookies(resp.Header); err != nil {
			return nil, err
		}
	}
	if len(resp.Header.Values("Content-Type")) == 0 {
		resp.Header.Set("Content-Type", defaultHTTPContentType)
	}

	var body string
	if raw, ok := f.get("body"); ok {
		if json.Unmarshal(raw, &body) != nil {
			return nil, f.malformed(nil, "body is not a string")
		}
	}
	var isBase64 bool
	if raw, ok := f.get("isBase64Encoded"); ok {
		if json.Unmarshal(raw, &isBase64) != nil {
			return nil, f.malformed(nil, "isBase64Encoded is not a boolean")
		}
	}
	switch {
	case isBase64:
		b, err := decodeBase64(body)
		if err != nil {
			return nil, f.malformed(err, "body is not valid base64")
		}
		if len(b) > 0 {
			resp.Body = b
		}
	case body != "":
		resp.Body = []byte(body)
	}
	return resp, nil
}

// headers adds the headers object: names to strings, or to numbers and
// booleans, which are written as their JSON text; a null value is no field.
// A pair already added from multiValueHeaders is not repeated.
func (f proxyFields) headers(h http.Header) error {
	raw, ok := f.get("headers")
	if !ok {
		return nil
	}
	var single map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &single) != nil {
		return f.malformed(nil, "headers is not an object")
	}
	for _, name := range slices.Sorted(maps.Keys(single)) {
		v, ok, err := headerScalar(single[name])
		if err != nil {
			return f.malformed(nil, "headers: %q: %v", name, err)
		}
		if !ok || slices.Contains(h.Values(name), v) {
			continue
		}
		if err := addHeader(h, name, v); err != nil {
			return f.malformed(nil, "headers: %v", err)
		}
	}
	return nil
}

// multiValueHeaders adds the multiValueHeaders object: names to arrays of
// the values headers allows.
func (f proxyFields) multiValueHeaders(h http.Header) error {
	raw, ok := f.get("multiValueHeaders")
	if !ok {
		return nil
	}
	var multi map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &multi) != nil {
		return f.malformed(nil, "multiValueHeaders is not an object")
	}
	for _, name := range slices.Sorted(maps.Keys(multi)) {
		list := multi[name]
		if string(list) == "null" {
			continue
		}
		var values []json.RawMessage
		if list[0] != '[' || json.Unmarshal(list, &values) != nil {
			return f.malformed(nil, "multiValueHeaders: %q is not an array", name)
		}
		for _, raw := range values {
			v, ok, err := headerScalar(raw)
			if err != nil {
				return f.malformed(nil, "multiValueHeaders: %q: %v", name, err)
			}
			if !ok {
				continue
			}
			if err := addHeader(h, name, v); err != nil {
				return f.malformed(nil, "multiValueHeaders: %v", err)
			}
		}
	}
	return nil
}

// cookies adds one Set-Cookie field per string of the cookies array; empty
// strings are skipped.
func (f proxyFields) cookies(h http.Header) error {
	raw, ok := f.get("cookies")
	if !ok {
		return nil
	}
	var cookies []string
	if json.Unmarshal(raw, &cookies) != nil {
		return f.malformed(nil, "cookies is not an array of strings")
	}
	for _, c := range cookies {
		if c == "" {
			continue
		}
		if err := addHeader(h, "Set-Cookie", c); err != nil {
			return f.malformed(nil, "cookies: %v", err)
		}
	}
	return nil
}

// headerScalar reads one header value: a string as is, a number or boolean
// as its JSON text; ok is false for null.
func headerScalar(raw json.RawMessage) (v string, ok bool, err error) {
	switch raw[0] {
	case 'n':
		return "", false, nil
	case '"':
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", false, err
		}
		return v, true, nil
	case '{', '[':
		return "", false, fmt.Errorf("value is not a string, number or boolean")
	default: // number, true, false
		return string(raw), true, nil
	}
}

// decodeBase64 decodes standard base64, padded or not.
func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if raw, rawErr := base64.RawStdEncoding.DecodeString(s); rawErr == nil {
			return raw, nil
		}
	}
	return b, err
}

// trimJSONSpace removes the whitespace JSON allows around a value (and no
// other).
func trimJSONSpace(b []byte) []byte {
	return bytes.Trim(b, " \t\r\n")
}

func newMalformed(payload []byte, err error, format string, args ...any) error {
	return &MalformedResponseError{Reason: fmt.Sprintf(format, args...), Payload: payload, Err: err}
}
