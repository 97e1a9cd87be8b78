package integration

import (
	"encoding/json"
	"maps"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// This file reads the results of REST API Lambda proxy integrations
// (ProxyResponseREST); doc.go lists every rule, which follow the matrix
// measured on AWS (reference http-and-rest-apis.md §1.1).

// restResponseKeys are the keys a REST Lambda proxy response may hold:
// cookies is not one of them (REST APIs have no cookies key).
var restResponseKeys = map[string]bool{
	"statusCode":        true,
	"headers":           true,
	"multiValueHeaders": true,
	"body":              true,
	"isBase64Encoded":   true,
}

// defaultRESTContentType is the Content-Type a REST API gives a proxy
// response that sets none.
const defaultRESTContentType = "application/json"

// parseRESTResponse reads a REST API's Lambda proxy result.
func parseRESTResponse(payload []byte) (*Response, error) {
	p := trimJSONSpace(payload)
	if len(p) == 0 || p[0] != '{' {
		return nil, newMalformed(payload, nil, "not a JSON object")
	}
	f, err := newProxyFields(payload, p)
	if err != nil {
		return nil, err
	}
	if len(f.fields) == 0 {
		return nil, f.malformed(nil, "empty object")
	}
	for _, k := range slices.Sorted(maps.Keys(f.fields)) {
		if !restResponseKeys[k] {
			return nil, f.malformed(nil, "unexpected key %q", k)
		}
	}

	resp := &Response{StatusCode: http.StatusOK, Header: http.Header{}}
	if raw, ok := f.get("statusCode"); ok {
		n, err := restStatus(raw)
		if err != nil || n < 100 || n > 599 {
			return nil, f.malformed(nil, "statusCode %s is not an HTTP status", truncate(string(raw), 40))
		}
		resp.StatusCode = n
	}
	if err := f.multiValueHeaders(resp.Header); err != nil {
		return nil, err
	}
	if err := f.headers(resp.Header); err != nil {
		return nil, err
	}
	if len(resp.Header.Values("Content-Type")) == 0 {
		resp.Header.Set("Content-Type", defaultRESTContentType)
	}

	var body string
	if raw, ok := f.get("body"); ok {
		if json.Unmarshal(raw, &body) != nil {
			return nil, f.malformed(nil, "body is not a string")
		}
	}
	if raw, ok := f.get("isBase64Encoded"); ok {
		if json.Unmarshal(raw, &resp.Base64Encoded) != nil {
			return nil, f.malformed(nil, "isBase64Encoded is not a boolean")
		}
	}
	if body != "" {
		resp.Body = []byte(body)
	}
	return resp, nil
}

// restStatus reads a statusCode: a JSON number holding an integer, or a
// string of decimal digits ("201").
func restStatus(raw json.RawMessage) (int, error) {
	if raw[0] == '"' {
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, err
		}
		return strconv.Atoi(text)
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || math.Abs(f) > 1e6 {
		return 0, strconv.ErrSyntax
	}
	return int(f), nil
}

// DecodeForREST decodes r's body when it is base64 text (Base64Encoded)
// and the first media type of the request's Accept header matches one of
// the API's binaryMediaTypes; otherwise the client gets the base64 text as
// it is. Base64Encoded is false afterwards. Bad base64 in a body that is to
// be decoded is a *MalformedResponseError.
func (r *Response) DecodeForREST(accept string, binaryMediaTypes []string) error {
	if !r.Base64Encoded {
		return nil
	}
	r.Base64Encoded = false
	if !AcceptsBinary(accept, binaryMediaTypes) {
		return nil
	}
	b, err := decodeBase64(string(r.Body))
	if err != nil {
		return newMalformed(r.Body, err, "body is not valid base64")
	}
	r.Body = b
	if len(b) == 0 {
		r.Body = nil
	}
	return nil
}

// AcceptsBinary reports whether the first media type of accept (an Accept
// header) matches one of binaryMediaTypes: "*/*" matches anything, "type/*"
// any subtype of type, anything else only itself (case-insensitive). A
// wildcard in accept matches only "*/*", as AWS measured ("image/*" does
// not match image/png).
func AcceptsBinary(accept string, binaryMediaTypes []string) bool {
	first, _, _ := strings.Cut(accept, ",")
	mt, _, err := mime.ParseMediaType(first)
	if err != nil {
		mt = ""
	}
	for _, b := range binaryMediaTypes {
		b = strings.ToLower(strings.TrimSpace(b))
		switch {
		case b == "*/*":
			return true
		case mt == "" || strings.Contains(mt, "*"):
		case b == mt:
			return true
		case strings.HasSuffix(b, "/*") && strings.HasPrefix(mt, b[:len(b)-1]):
			return true
		}
	}
	return false
}
