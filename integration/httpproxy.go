package integration

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
)

// httpProxy is an HTTP_PROXY integration. Invoke sends the client's
// payload and returns the backend's answer whole; there is no integration
// response. Forward sends a whole HTTP request and streams the answer.
type httpProxy struct {
	// backend is Invoke's request side: nil for an HTTP API integration
	// (Spec.ModeMapsRequest), whose Invoke goes through Forward.
	backend *httpBackend

	client   *http.Client // Forward's: never follows redirects
	direct   bool         // sendDirect(client)
	uri      string       // the Spec's URI, for a ForwardRequest without URL
	method   string       // integrationMethod; "" for ANY
	deadline deadline
}

var (
	_ Invoker   = (*httpProxy)(nil)
	_ Forwarder = (*httpProxy)(nil)
)

// uriPlaceholder matches what the mode fills in an HTTP API integration
// URI: {name}, {name+} and ${stageVariables.name}.
var uriPlaceholder = regexp.MustCompile(`\$?\{[^{}]*\}`)

func newHTTPProxy(spec Spec, client, forward *http.Client, d deadline) (*httpProxy, error) {
	p := &httpProxy{client: forward, direct: sendDirect(forward), uri: spec.URI, deadline: d}
	switch m := strings.ToUpper(spec.Method); m {
	case "", "ANY":
	default:
		if !validHeaderName(m) { // a method is a token
			return nil, fmt.Errorf("integrationMethod %q is not an HTTP method", spec.Method)
		}
		p.method = m
	}
	if !spec.ModeMapsRequest {
		backend, err := newHTTPBackend(spec, client, d)
		if err != nil {
			return nil, err
		}
		p.backend = backend
		return p, nil
	}
	// An HTTP API integration: the mode fills the placeholders and maps the
	// parameters, so only the URI's shape is checked. A URI that starts
	// with a variable cannot be checked before it is filled.
	if !strings.HasPrefix(spec.URI, "${") {
		if _, err := httpURL(uriPlaceholder.ReplaceAllString(spec.URI, "x")); err != nil {
			return nil, fmt.Errorf("integrationUri %q is not an http(s) URL", spec.URI)
		}
	}
	return p, nil
}

// Invoke implements Invoker. Any HTTP status is a result; only transport
// failures are errors.
func (p *httpProxy) Invoke(ctx context.Context, req *Request) (*Response, error) {
	if p.backend == nil {
		return p.invokeByForward(ctx, req)
	}
	status, header, body, err := p.backend.send(ctx, req, req.Body)
	if err != nil {
		return nil, err
	}
	return &Response{StatusCode: status, Header: endToEndHeader(header), Body: body}, nil
}

// invokeByForward is Invoke for an HTTP API integration: Request.Body goes
// to the Spec's URI with the integrationMethod (ANY is POST), and the answer
// is read whole.
func (p *httpProxy) invokeByForward(ctx context.Context, req *Request) (*Response, error) {
	resp, err := p.Forward(ctx, &ForwardRequest{Body: bytes.NewReader(req.Body), ContentLength: int64(len(req.Body))})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, err // forwardBody has classified and wrapped it
	}
	if len(body) > maxResponseBytes {
		return nil, fmt.Errorf("%s %s: response larger than %d bytes", resp.Request.Method, redacted(resp.Request.URL), maxResponseBytes)
	}
	if len(body) == 0 {
		body = nil
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// Forward implements Forwarder.
func (p *httpProxy) Forward(ctx context.Context, req *ForwardRequest) (*http.Response, error) {
	if req == nil {
		req = &ForwardRequest{}
	}
	// fail closes the body, as net/http does once it has the request.
	fail := func(err error) (*http.Response, error) {
		if c, ok := req.Body.(io.Closer); ok {
			_ = c.Close()
		}
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	target := req.URL
	if target == "" {
		if uriPlaceholder.MatchString(p.uri) {
			return fail(errors.New("forwarding: the integrationUri has placeholders; ForwardRequest.URL must carry the filled URL"))
		}
		target = p.uri
	}
	method := p.method
	if method == "" {
		method = cmp.Or(req.Method, http.MethodPost)
	}

	tctx, cancel := p.deadline.start(ctx)
	// The body arrives after Forward returns: tctx lives until the caller
	// closes it, or until the timeout. The URL is parsed once, here; its
	// errors read as httpURL's.
	hreq, err := http.NewRequestWithContext(tctx, method, target, req.Body)
	if err != nil {
		cancel()
		u, uerr := httpURL(target)
		if uerr != nil {
			return fail(fmt.Errorf("forwarding: %w", uerr))
		}
		return fail(fmt.Errorf("%s: %w", display(method, u), err))
	}
	if err := checkHTTPURL(hreq.URL); err != nil {
		cancel()
		return fail(fmt.Errorf("forwarding: %w", err))
	}
	switch {
	case req.Body == nil:
	case req.ContentLength > 0:
		hreq.ContentLength = req.ContentLength
	case req.ContentLength < 0 && hreq.ContentLength == 0:
		hreq.ContentLength = -1 // unknown: sent chunked
	}
	hreq.Header = forwardHeaderSet(req.Header, req.Set, true)
	if host := hreq.Header.Get("Host"); host != "" {
		hreq.Host = host
	}
	hreq.Header.Del("Host")

	resp, err := send(p.client, p.direct, hreq)
	if err != nil {
		cancel()
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the URL, password hidden
		}
		return nil, fmt.Errorf("%s: %w", display(method, hreq.URL), p.deadline.check(tctx, err))
	}
	removeHopHeaders(resp.Header)
	resp.Body = &forwardBody{body: resp.Body, ctx: ctx, tctx: tctx, cancel: cancel, deadline: p.deadline, method: method, url: hreq.URL}
	return resp, nil
}

// forwardBody is a forwarded response's body: it classifies read errors
// like Forward does, and releases the exchange's context on Close.
type forwardBody struct {
	body     io.ReadCloser
	ctx      context.Context // the caller's
	tctx     context.Context // ctx with the integration's timeout
	cancel   context.CancelFunc
	deadline deadline
	method   string   // for errors
	url      *url.URL // for errors, without its password
}

// Read implements io.Reader.
func (b *forwardBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if err == nil || err == io.EOF {
		return n, err
	}
	if cerr := b.ctx.Err(); cerr != nil {
		return n, cerr
	}
	return n, fmt.Errorf("%s: reading the response: %w", display(b.method, b.url), b.deadline.check(b.tctx, err))
}

// Close implements io.Closer.
func (b *forwardBody) Close() error {
	err := b.body.Close()
	b.cancel()
	return err
}

// httpURL parses an absolute http(s) URL.
func httpURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text would repeat the URL with its password
		}
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if err := checkHTTPURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkHTTPURL checks that a parsed URL is an absolute http(s) URL.
func checkHTTPURL(u *url.URL) error {
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s is not an http(s) URL", u.Redacted())
	}
	return nil
}

// display is a forwarded request as errors name it: the method and the
// URL without its password. Forward builds it only for an error.
func display(method string, u *url.URL) string { return method + " " + u.Redacted() }

// redacted is u without its password.
func redacted(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Redacted()
}

// forwardHeader returns a copy of h, names canonicalised, without
// hop-by-hop fields; with emptyUserAgent, and no User-Agent field left, it
// adds an empty one (net/http would add its own).
func forwardHeader(h http.Header, emptyUserAgent bool) http.Header {
	return forwardHeaderSet(h, nil, emptyUserAgent)
}

// forwardHeaderSet is forwardHeader with the set fields replacing h's of
// the same name, as http.Header.Set on the copy would: one copy where a
// Clone and Sets would make two. The values share one allocation, as
// http.Header.Clone's do.
func forwardHeaderSet(h http.Header, set []Field, emptyUserAgent bool) http.Header {
	n := 1 + len(set) // room for the User-Agent and the set fields
	for _, values := range h {
		n += len(values)
	}
	backing := make([]string, 0, n)
	out := make(http.Header, len(h)+len(set)+1)
	for name, values := range h {
		key := textproto.CanonicalMIMEHeaderKey(name)
		if isSet(set, key) {
			continue
		}
		if prev, ok := out[key]; ok || len(values) == 0 {
			out[key] = append(prev, values...) // two spellings of a name, or no values: as append on its own
			continue
		}
		start := len(backing)
		backing = append(backing, values...)
		out[key] = backing[start:len(backing):len(backing)]
	}
	for _, f := range set {
		start := len(backing)
		backing = append(backing, f.Value)
		out[f.Name] = backing[start:len(backing):len(backing)]
	}
	removeHopHeaders(out)
	if _, ok := out["User-Agent"]; emptyUserAgent && !ok {
		start := len(backing)
		backing = append(backing, "")
		out["User-Agent"] = backing[start:len(backing):len(backing)]
	}
	return out
}

// isSet reports whether set names the canonical name.
func isSet(set []Field, name string) bool {
	for _, f := range set {
		if f.Name == name {
			return true
		}
	}
	return false
}

// removeHopHeaders deletes, from a header with canonical names, the
// hop-by-hop fields: those named by Connection, the hopHeaders and every
// Proxy-* field. (net/http drops an answer's Connection field when it says
// close; the names it listed then stay.)
func removeHopHeaders(h http.Header) {
	for _, v := range h.Values("Connection") {
		for f := range strings.SplitSeq(v, ",") {
			if f = textproto.TrimString(f); f != "" {
				h.Del(f)
			}
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
	for name := range h {
		if strings.HasPrefix(name, "Proxy-") {
			delete(h, name)
		}
	}
}
