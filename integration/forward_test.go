package integration

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// mustForwarder builds an HTTP_PROXY integration and returns its Forwarder.
func mustForwarder(t testing.TB, spec Spec, env Env) Forwarder {
	t.Helper()
	inv := mustNew(t, spec, env)
	f, ok := inv.(Forwarder)
	if !ok {
		t.Fatalf("%T is not a Forwarder", inv)
	}
	return f
}

// readAll reads and closes a forwarded body.
func readAll(t testing.TB, resp *http.Response) (string, error) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// opaque is a reader whose length net/http cannot see.
type opaque struct{ r io.Reader }

func (o opaque) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestForward(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		specPath   string // appended to the backend URL for Spec.URI
		specMethod string
		url        string // appended to the backend URL; "" leaves URL empty
		method     string
		header     http.Header
		body       io.Reader
		length     int64

		wantMethod string
		wantURI    string
		wantHost   string
		wantHeader http.Header
		wantBody   string
		wantLength int64
	}{
		{
			name: "client method and URL", specMethod: "ANY",
			url: "/items/a%2Fb/%C3%A9?q=a+b&q=c&e=%26", method: "PATCH",
			header: http.Header{"X-Multi": {"1", "2"}, "Content-Type": {"text/plain"}, "X-Forwarded-For": {"203.0.113.9"},
				"Cookie": {"a=1; b=2"}, "Authorization": {"Bearer t"}},
			body: strings.NewReader("hello"), length: 5,
			wantMethod: "PATCH", wantURI: "/items/a%2Fb/%C3%A9?q=a+b&q=c&e=%26",
			wantHeader: http.Header{"X-Multi": {"1", "2"}, "Content-Type": {"text/plain"}, "X-Forwarded-For": {"203.0.113.9"},
				"Cookie": {"a=1; b=2"}, "Authorization": {"Bearer t"}, "Content-Length": {"5"}},
			wantBody: "hello", wantLength: 5,
		},
		{
			name: "integrationMethod wins", specMethod: "get", url: "/x", method: "POST",
			wantMethod: "GET", wantURI: "/x", wantHeader: http.Header{},
		},
		{
			name: "no integrationMethod is ANY", url: "/x", method: "DELETE",
			wantMethod: "DELETE", wantURI: "/x", wantHeader: http.Header{},
		},
		{
			name: "no method at all", specMethod: "ANY", url: "/x",
			wantMethod: "POST", wantURI: "/x", wantHeader: http.Header{"Content-Length": {"0"}}, // net/http's, for a POST
		},
		{
			name: "Spec URI", specPath: "/base?k=v", method: "GET",
			wantMethod: "GET", wantURI: "/base?k=v", wantHeader: http.Header{},
		},
		{
			name: "unknown length is chunked", url: "/up", method: "PUT",
			body: opaque{strings.NewReader("streamed")}, length: -1,
			wantMethod: "PUT", wantURI: "/up", wantBody: "streamed", wantLength: -1,
		},
		{
			name: "zero length with a body", url: "/up", method: "PUT",
			body: opaque{strings.NewReader("probed")}, length: 0,
			wantMethod: "PUT", wantURI: "/up", wantBody: "probed", wantLength: -1,
		},
		{
			name: "mapped Host", url: "/h", method: "GET", header: http.Header{"host": {"backend.internal"}},
			wantMethod: "GET", wantURI: "/h", wantHost: "backend.internal", wantHeader: http.Header{},
		},
		{
			name: "client User-Agent and Accept-Encoding", url: "/ua", method: "GET",
			header:     http.Header{"User-Agent": {"curl/8.5.0"}, "Accept-Encoding": {"br"}},
			wantMethod: "GET", wantURI: "/ua", wantHeader: http.Header{"User-Agent": {"curl/8.5.0"}, "Accept-Encoding": {"br"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newBackend(t, answer(201, http.Header{"X-Backend": {"yes"}, "Set-Cookie": {"a=1", "b=2"}}, "created"))
			f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: b.url + tc.specPath, Method: tc.specMethod, ModeMapsRequest: true}, Env{})
			req := &ForwardRequest{Method: tc.method, Header: tc.header, Body: tc.body, ContentLength: tc.length}
			if tc.url != "" {
				req.URL = b.url + tc.url
			}
			resp, err := f.Forward(context.Background(), req)
			if err != nil {
				t.Fatalf("Forward: %v", err)
			}
			body, err := readAll(t, resp)
			if err != nil || resp.StatusCode != 201 || body != "created" {
				t.Errorf("answer = %d %q, %v; want 201 \"created\"", resp.StatusCode, body, err)
			}
			if got := resp.Header.Values("Set-Cookie"); !slices.Equal(got, []string{"a=1", "b=2"}) || resp.Header.Get("X-Backend") != "yes" {
				t.Errorf("answer header = %v", resp.Header)
			}

			got := b.only(t)
			if got.method != tc.wantMethod || got.requestURI != tc.wantURI {
				t.Errorf("request = %s %s, want %s %s", got.method, got.requestURI, tc.wantMethod, tc.wantURI)
			}
			if got.body != tc.wantBody || got.contentLength != tc.wantLength {
				t.Errorf("body = %q (length %d), want %q (length %d)", got.body, got.contentLength, tc.wantBody, tc.wantLength)
			}
			if tc.wantHost != "" && got.host != tc.wantHost {
				t.Errorf("Host = %q, want %q", got.host, tc.wantHost)
			}
			// wantHeader, when set, is the whole header: Forward adds nothing.
			if tc.wantHeader != nil && !headersEqual(got.header, tc.wantHeader) {
				t.Errorf("backend header = %v, want exactly %v", got.header, tc.wantHeader)
			}
		})
	}
}

func headersEqual(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestForwardHopByHop(t *testing.T) {
	t.Parallel()
	t.Run("request", func(t *testing.T) {
		t.Parallel()
		b := newBackend(t, answer(204, nil, ""))
		f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: b.url}, Env{})
		resp, err := f.Forward(context.Background(), &ForwardRequest{Method: "GET", Header: http.Header{
			"Connection":          {"X-Hop, keep-alive", "x-other-hop"},
			"X-Hop":               {"1"},
			"X-Other-Hop":         {"1"},
			"Keep-Alive":          {"timeout=5"},
			"Proxy-Authorization": {"Basic eDp5"},
			"Proxy-Connection":    {"keep-alive"},
			"Proxy-Custom":        {"1"},
			"te":                  {"trailers"},
			"Trailer":             {"X-T"},
			"Upgrade":             {"h2c"},
			"Transfer-Encoding":   {"chunked"},
			"X-Kept":              {"1"},
		}})
		if err != nil {
			t.Fatalf("Forward: %v", err)
		}
		_, _ = readAll(t, resp)
		if got := b.only(t).header; !headersEqual(got, http.Header{"X-Kept": {"1"}}) {
			t.Errorf("backend header = %v, want only X-Kept", got)
		}
	})
	t.Run("response", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, hijack(t, []byte("HTTP/1.1 200 OK\r\n"+
			"Connection: X-Back-Hop\r\n"+ // with "close" net/http drops the field
			"X-Back-Hop: 1\r\n"+
			"Keep-Alive: timeout=5\r\n"+
			"Proxy-Authenticate: Basic\r\n"+
			"Proxy-Custom: 1\r\n"+
			"Upgrade: foo\r\n"+
			"Te: trailers\r\n"+
			"X-Kept: 1\r\n"+
			"Content-Length: 2\r\n\r\nok")))
		f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: srv.URL}, Env{})
		resp, err := f.Forward(context.Background(), &ForwardRequest{Method: "GET"})
		if err != nil {
			t.Fatalf("Forward: %v", err)
		}
		if body, err := readAll(t, resp); body != "ok" || err != nil {
			t.Errorf("body = %q, %v", body, err)
		}
		if !headersEqual(resp.Header, http.Header{"X-Kept": {"1"}, "Content-Length": {"2"}}) {
			t.Errorf("answer header = %v, want X-Kept and Content-Length", resp.Header)
		}
	})
}

func TestRemoveHopHeaders(t *testing.T) {
	t.Parallel()
	h := forwardHeader(http.Header{
		"connection":        {" , X-A ,,x-b"},
		"X-A":               {"1"},
		"x-b":               {"2"},
		"PROXY-anything":    {"3"},
		"X-Proxy-Not-Hop":   {"4"},
		"x-kept":            {"5"},
		"X-Kept":            {"6"},
		"Transfer-Encoding": {"chunked"},
	}, false)
	slices.Sort(h["X-Kept"]) // the two spellings merge in map order
	if want := (http.Header{"X-Proxy-Not-Hop": {"4"}, "X-Kept": {"5", "6"}}); !headersEqual(h, want) {
		t.Fatalf("forwardHeader = %v, want %v", h, want)
	}
	if h := forwardHeader(nil, false); h == nil || len(h) != 0 {
		t.Fatalf("forwardHeader(nil, false) = %v", h)
	}
}

// pattern is a reader of n deterministic bytes in which a lost, repeated or
// moved chunk shows.
type pattern struct{ n, off int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if rest := p.n - p.off; int64(len(b)) > rest {
		b = b[:rest]
	}
	for i := range b {
		x := uint64(p.off) + uint64(i)
		b[i] = byte(x) ^ byte(x>>8)*7 ^ byte(x>>16)*13
	}
	p.off += int64(len(b))
	return len(b), nil
}

// checkPattern reads r to its end and compares it with a pattern of n
// bytes.
func checkPattern(r io.Reader, n int64) error {
	want := &pattern{n: n}
	got := make([]byte, 64<<10)
	expect := make([]byte, 64<<10)
	var off int64
	for {
		k, err := r.Read(got)
		if k > 0 {
			if _, werr := io.ReadFull(want, expect[:k]); werr != nil {
				return fmt.Errorf("more than %d bytes", n)
			}
			for i := range k {
				if got[i] != expect[i] {
					return fmt.Errorf("byte %d differs", off+int64(i))
				}
			}
			off += int64(k)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("after %d bytes: %w", off, err)
		}
	}
	if off != n {
		return fmt.Errorf("%d bytes, want %d", off, n)
	}
	return nil
}

// TestForwardStreams sends 20 MB through a backend that echoes it as it
// reads: the answer must start before the request body is complete, and
// both bodies must arrive whole and in order.
func TestForwardStreams(t *testing.T) {
	t.Parallel()
	const size = 20 << 20
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.EnableFullDuplex(); err != nil {
			t.Errorf("EnableFullDuplex: %v", err)
		}
		w.Header().Set("X-Request-Length", strconv.FormatInt(r.ContentLength, 10))
		w.WriteHeader(http.StatusOK)
		_ = rc.Flush()
		buf := make([]byte, 64<<10)
		for {
			n, err := r.Body.Read(buf)
			if n > 0 {
				if _, werr := w.Write(buf[:n]); werr != nil {
					return
				}
				_ = rc.Flush()
			}
			if err != nil {
				return
			}
		}
	}))
	f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: srv.URL, Method: "ANY"}, Env{})
	for _, length := range []int64{size, -1} {
		t.Run(fmt.Sprintf("length %d", length), func(t *testing.T) {
			t.Parallel()
			pr, pw := io.Pipe()
			answered := make(chan struct{})
			writerDone := make(chan struct{})
			go func() {
				defer close(writerDone)
				src := &pattern{n: size}
				if _, err := io.CopyN(pw, src, 1<<20); err != nil {
					pw.CloseWithError(err)
					return
				}
				select {
				case <-answered:
				case <-time.After(10 * time.Second):
					t.Error("Forward did not return before the request body was complete")
				}
				_, err := io.Copy(pw, src)
				pw.CloseWithError(err)
			}()
			resp, err := f.Forward(context.Background(), &ForwardRequest{URL: srv.URL + "/echo", Method: "PUT", Body: pr, ContentLength: length})
			close(answered)
			if err != nil {
				t.Fatalf("Forward: %v", err)
			}
			defer resp.Body.Close()
			if got := resp.Header.Get("X-Request-Length"); got != strconv.FormatInt(length, 10) {
				t.Errorf("backend saw length %s, want %d", got, length)
			}
			if err := checkPattern(resp.Body, size); err != nil {
				t.Errorf("echoed body: %v", err)
			}
			<-writerDone
		})
	}
}

func TestForwardLargeAnswer(t *testing.T) {
	t.Parallel()
	const size = 20 << 20
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		_, _ = io.Copy(w, &pattern{n: size})
	}))
	f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: srv.URL}, Env{})
	resp, err := f.Forward(context.Background(), &ForwardRequest{Method: "GET"})
	if err != nil {
		t.Fatalf("Forward: %v", err)
	}
	defer resp.Body.Close()
	if resp.ContentLength != size {
		t.Errorf("ContentLength = %d, want %d", resp.ContentLength, size)
	}
	if err := checkPattern(resp.Body, size); err != nil {
		t.Errorf("body: %v", err)
	}
}

func TestForwardTimeout(t *testing.T) {
	t.Parallel()
	t.Run("header", func(t *testing.T) {
		t.Parallel()
		b := newBackend(t, slow)
		f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: b.url, Timeout: 100 * time.Millisecond}, Env{})
		resp, err := f.Forward(context.Background(), &ForwardRequest{Method: "POST", Body: strings.NewReader("x"), ContentLength: 1})
		checkErr(t, err, timeoutErr)
		if resp != nil {
			t.Errorf("a Response with the error")
		}
	})
	t.Run("body", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "partial")
			_ = http.NewResponseController(w).Flush()
			<-r.Context().Done()
		}))
		f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: srv.URL, Timeout: 200 * time.Millisecond}, Env{})
		resp, err := f.Forward(context.Background(), &ForwardRequest{Method: "GET"})
		if err != nil {
			t.Fatalf("Forward: %v", err)
		}
		body, err := readAll(t, resp)
		checkErr(t, err, timeoutErr)
		if body != "partial" {
			t.Errorf("body = %q, want what came before the timeout", body)
		}
	})
	t.Run("body after Forward returned", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			_ = http.NewResponseController(w).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			_, _ = io.WriteString(w, "late body")
		}))
		f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: srv.URL}, Env{})
		resp, err := f.Forward(context.Background(), &ForwardRequest{Method: "GET"})
		close(release)
		if err != nil {
			t.Fatalf("Forward: %v", err)
		}
		if body, err := readAll(t, resp); body != "late body" || err != nil {
			t.Errorf("body = %q, %v; the exchange must outlive Forward", body, err)
		}
	})
}

func TestForwardParentCancel(t *testing.T) {
	t.Parallel()
	t.Run("header", func(t *testing.T) {
		t.Parallel()
		b := newBackend(t, slow)
		f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: b.url}, Env{})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		if _, err := f.Forward(ctx, &ForwardRequest{Method: "GET"}); err != context.Canceled {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if _, err := f.Forward(ctx, &ForwardRequest{Method: "GET"}); err != context.Canceled {
			t.Fatalf("error = %v for a cancelled context, want context.Canceled", err)
		}
	})
	t.Run("body", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			_ = http.NewResponseController(w).Flush()
			<-r.Context().Done()
		}))
		f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: srv.URL}, Env{})
		ctx, cancel := context.WithCancel(context.Background())
		resp, err := f.Forward(ctx, &ForwardRequest{Method: "GET"})
		if err != nil {
			t.Fatalf("Forward: %v", err)
		}
		cancel()
		if _, err := readAll(t, resp); err != context.Canceled {
			t.Fatalf("reading: %v, want context.Canceled", err)
		}
	})
}

func TestForwardRedirect(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]Env{"package client": {}, "client that follows": {HTTPClient: &http.Client{}}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/old" {
					http.Redirect(w, r, "/new", http.StatusFound)
				}
			})
			f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: b.url}, env)
			resp, err := f.Forward(context.Background(), &ForwardRequest{URL: b.url + "/old", Method: "GET"})
			if err != nil {
				t.Fatalf("Forward: %v", err)
			}
			_, _ = readAll(t, resp)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/new" {
				t.Errorf("answer = %d, Location %q; want the 302", resp.StatusCode, resp.Header.Get("Location"))
			}
			if n := b.count(); n != 1 {
				t.Errorf("backend saw %d requests, want 1", n)
			}
		})
	}
}

func TestForwardBackendFailures(t *testing.T) {
	t.Parallel()
	t.Run("closed mid-body", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, hijack(t, []byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")))
		f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: srv.URL}, Env{})
		resp, err := f.Forward(context.Background(), &ForwardRequest{Method: "GET"})
		if err != nil {
			t.Fatalf("Forward: %v", err)
		}
		body, err := readAll(t, resp)
		if !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrTimeout) {
			t.Fatalf("reading: %v, want io.ErrUnexpectedEOF", err)
		}
		if body != "only part" || !strings.Contains(err.Error(), "GET "+srv.URL) {
			t.Errorf("body %q, error %q: want the part and the URL", body, err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, http.NotFoundHandler())
		srv.Close()
		url := strings.Replace(srv.URL, "http://", "http://user:secret@", 1) + "/x"
		f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: url}, Env{})
		_, err := f.Forward(context.Background(), &ForwardRequest{Method: "GET"})
		checkErr(t, err, anyErr)
		if msg := err.Error(); strings.Contains(msg, "secret") || strings.Count(msg, "http://") != 1 ||
			!strings.HasPrefix(msg, "GET http://user:xxxxx@"+strings.TrimPrefix(srv.URL, "http://")+"/x: ") {
			t.Errorf("error %q: want the URL once, without its password", msg)
		}
	})
	t.Run("not HTTP", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, garbage(t))
		f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: srv.URL}, Env{})
		_, err := f.Forward(context.Background(), &ForwardRequest{Method: "GET"})
		checkErr(t, err, anyErr)
	})
}

// failingBody yields some bytes, then fails; it records whether it was
// closed.
type failingBody struct {
	sent   bool
	closed chan struct{}
}

var errClientGone = errors.New("client went away")

func (b *failingBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, "partial upload"), nil
	}
	return 0, errClientGone
}

func (b *failingBody) Close() error {
	close(b.closed)
	return nil
}

func TestForwardClientBodyFails(t *testing.T) {
	t.Parallel()
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // fails: the upload is cut short
	}))
	f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: srv.URL}, Env{})
	for _, length := range []int64{-1, 1000} {
		body := &failingBody{closed: make(chan struct{})}
		_, err := f.Forward(context.Background(), &ForwardRequest{Method: "POST", Body: body, ContentLength: length})
		if !errors.Is(err, errClientGone) || errors.Is(err, ErrTimeout) {
			t.Errorf("length %d: error = %v, want the body's error", length, err)
		}
		<-body.closed
	}
}

func TestForwardRejects(t *testing.T) {
	t.Parallel()
	b := newBackend(t, answer(200, nil, ""))
	tests := []struct {
		name   string
		uri    string // appended to the backend URL
		method string // integrationMethod
		req    ForwardRequest
		want   string
	}{
		{name: "not http", req: ForwardRequest{URL: "ftp://h/x"}, want: "not an http(s) URL"},
		{name: "no host", req: ForwardRequest{URL: "http:///x"}, want: "not an http(s) URL"},
		{name: "relative", req: ForwardRequest{URL: "/x"}, want: "not an http(s) URL"},
		{name: "unparsable", req: ForwardRequest{URL: "http://u:pw@h/%zz"}, want: "invalid URL"},
		{name: "unfilled Spec URI", uri: "/{proxy}", req: ForwardRequest{}, want: "placeholders"},
		{name: "stage variable in Spec URI", uri: "/${stageVariables.v}", req: ForwardRequest{}, want: "placeholders"},
		{name: "bad method", method: "ANY", req: ForwardRequest{URL: b.url, Method: "GET /"}, want: "method"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: b.url + tc.uri, Method: tc.method, ModeMapsRequest: true}, Env{})
			body := &failingBody{closed: make(chan struct{})}
			tc.req.Body = body
			resp, err := f.Forward(context.Background(), &tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Forward = %v, %v; want an error containing %q", resp, err, tc.want)
			}
			if strings.Contains(err.Error(), "pw@") {
				t.Errorf("error %q shows a password", err)
			}
			select {
			case <-body.closed:
			default:
				t.Errorf("the body was not closed")
			}
		})
	}
	if n := b.count(); n != 0 {
		t.Errorf("backend saw %d requests, want none", n)
	}
}

func TestForwarderTypes(t *testing.T) {
	t.Parallel()
	_, lambdaClient := newFakeLambda(t, reply(`{}`))
	for _, spec := range []Spec{
		{Type: "AWS_PROXY", URI: testFunctionARN},
		{Type: "AWS_PROXY", URI: "http://h", ProxyResponse: ProxyResponseHTTPV2},
		{Type: "HTTP", URI: "http://h"},
		{Type: "MOCK"},
	} {
		inv := mustNew(t, spec, Env{Lambda: lambdaClient})
		if _, ok := inv.(Forwarder); ok {
			t.Errorf("%s integration %T is a Forwarder", spec.Type, inv)
		}
	}
	mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: "http://h/x"}, Env{})
}

// TestHTTPAPIProxySpecs checks what New accepts of an HTTP API HTTP_PROXY
// integration, and its Invoke.
func TestHTTPAPIProxySpecs(t *testing.T) {
	t.Parallel()
	for _, uri := range []string{
		"http://h/{proxy}", "https://h/items/{id}/{proxy+}", "http://${stageVariables.host}/x",
		"${stageVariables.url}", "http://h:8080/a?x={q}",
	} {
		spec := Spec{Type: "HTTP_PROXY", URI: uri, Method: "ANY", ModeMapsRequest: true,
			RequestParameters: map[string]string{"append:header.x": "$request.header.y", "overwrite:path": "/z"}}
		if _, err := New(spec, Env{}); err != nil {
			t.Errorf("New(%q): %v", uri, err)
		}
	}

	b := newBackend(t, answer(200, http.Header{"X-Backend": {"yes"}, "Connection": {"X-Hop"}, "X-Hop": {"1"}}, "ok"))
	tests := []struct {
		method, wantMethod string
	}{{"ANY", "POST"}, {"", "POST"}, {"PUT", "PUT"}}
	for _, tc := range tests {
		inv := mustNew(t, Spec{Type: "HTTP_PROXY", URI: b.url + "/x?k=v", Method: tc.method, ModeMapsRequest: true}, Env{})
		resp, err := inv.Invoke(context.Background(), &Request{Body: []byte(`{"a":1}`), Params: testParams})
		if err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		checkResponse(t, resp, 200, "ok", http.Header{"X-Backend": {"yes"}, "X-Hop": nil})
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, got := range b.requests {
		if got.method != tests[i].wantMethod || got.requestURI != "/x?k=v" || got.body != `{"a":1}` {
			t.Errorf("request %d = %s %s %q", i, got.method, got.requestURI, got.body)
		}
	}

	inv := mustNew(t, Spec{Type: "HTTP_PROXY", URI: b.url + "/{proxy}", ModeMapsRequest: true}, Env{})
	if _, err := inv.Invoke(context.Background(), &Request{}); err == nil {
		t.Error("Invoke with an unfilled URI succeeded")
	}
}

func TestForwardConcurrent(t *testing.T) {
	t.Parallel()
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Path)
	}))
	f := mustForwarder(t, Spec{Type: "HTTP_PROXY", URI: srv.URL}, Env{})
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			path := fmt.Sprintf("/%d", i)
			resp, err := f.Forward(context.Background(), &ForwardRequest{URL: srv.URL + path, Method: "GET"})
			if err != nil {
				t.Error(err)
				return
			}
			if body, err := readAll(t, resp); body != path || err != nil {
				t.Errorf("body %q, %v; want %q", body, err, path)
			}
		})
	}
	wg.Wait()
}
