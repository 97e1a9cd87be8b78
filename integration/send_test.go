package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// fakeTransport answers every request with its fields and records the
// Authorization it was sent.
type fakeTransport struct {
	status  int
	header  http.Header
	body    io.ReadCloser
	length  int64
	nilResp bool
	err     error
	auth    []string
}

func (f *fakeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.auth = r.Header.Values("Authorization")
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	if f.err != nil {
		return nil, f.err
	}
	if f.nilResp {
		return nil, nil
	}
	return &http.Response{StatusCode: f.status, Header: f.header.Clone(), Body: f.body, ContentLength: f.length, Request: r}, nil
}

// TestSendMatchesClientDo holds send's direct path to what Client.Do does
// with Forward's client: the same answer or the same error, and the same
// request on the wire.
func TestSendMatchesClientDo(t *testing.T) {
	t.Parallel()
	body := func(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }
	tests := []struct {
		name      string
		url       string
		reqBody   func() io.Reader
		auth      string
		transport func() *fakeTransport
	}{
		{name: "200", url: "http://b/x", transport: func() *fakeTransport { return &fakeTransport{status: 200, body: body("ok")} }},
		{name: "302 Location", url: "http://b/x", transport: func() *fakeTransport {
			return &fakeTransport{status: 302, header: http.Header{"Location": {"/new"}}, body: body("moved")}
		}},
		{name: "302 no Location", url: "http://b/x", transport: func() *fakeTransport { return &fakeTransport{status: 302, body: body("")} }},
		{name: "301 bad Location", url: "http://b/x", transport: func() *fakeTransport {
			return &fakeTransport{status: 301, header: http.Header{"Location": {"%zz"}}, body: body("moved")}
		}},
		{name: "303 bad Location", url: "http://b/x", reqBody: func() io.Reader { return strings.NewReader("abc") }, transport: func() *fakeTransport {
			return &fakeTransport{status: 303, header: http.Header{"Location": {"%zz"}}, body: body("")}
		}},
		{name: "307 bad Location, body sent again", url: "http://b/x", reqBody: func() io.Reader { return bytes.NewReader([]byte("abc")) }, transport: func() *fakeTransport {
			return &fakeTransport{status: 307, header: http.Header{"Location": {"%zz"}}, body: body("")}
		}},
		{name: "308 bad Location, body streamed", url: "http://b/x", reqBody: func() io.Reader { return io.MultiReader(strings.NewReader("abc")) }, transport: func() *fakeTransport {
			return &fakeTransport{status: 308, header: http.Header{"Location": {"%zz"}}, body: body("")}
		}},
		{name: "308 bad Location, no body", url: "http://b/x", transport: func() *fakeTransport {
			return &fakeTransport{status: 308, header: http.Header{"Location": {"%zz"}}, body: body("")}
		}},
		{name: "nil body", url: "http://b/x", transport: func() *fakeTransport { return &fakeTransport{status: 204} }},
		{name: "nil body with a length", url: "http://b/x", transport: func() *fakeTransport { return &fakeTransport{status: 200, length: 5} }},
		{name: "nil response", url: "http://b/x", transport: func() *fakeTransport { return &fakeTransport{nilResp: true} }},
		{name: "transport error", url: "http://u:pw@b/x", transport: func() *fakeTransport { return &fakeTransport{err: errors.New("boom")} }},
		{name: "HTTP answer to HTTPS", url: "https://b/x", transport: func() *fakeTransport {
			return &fakeTransport{err: tls.RecordHeaderError{RecordHeader: [5]byte{'H', 'T', 'T', 'P', '/'}}}
		}},
		{name: "user info", url: "http://user:secret@b/x", transport: func() *fakeTransport { return &fakeTransport{status: 200, body: body("ok")} }},
		{name: "user info and Authorization", url: "http://user:secret@b/x", auth: "Bearer t", transport: func() *fakeTransport {
			return &fakeTransport{status: 200, body: body("ok")}
		}},
		{name: "user without password", url: "http://user@b/x", transport: func() *fakeTransport { return &fakeTransport{status: 200, body: body("ok")} }},
	}
	type outcome struct {
		status int
		body   string
		err    string
		auth   []string
	}
	run := func(t *testing.T, direct bool, method string, tc int) outcome {
		t.Helper()
		test := tests[tc]
		ft := test.transport()
		c := forwardClient(&http.Client{Transport: ft})
		var rb io.Reader
		if test.reqBody != nil {
			rb = test.reqBody()
		}
		req, err := http.NewRequestWithContext(context.Background(), method, test.url, rb)
		if err != nil {
			t.Fatal(err)
		}
		if test.auth != "" {
			req.Header.Set("Authorization", test.auth)
		}
		resp, err := send(c, direct, req)
		var o outcome
		if err != nil {
			o.err = err.Error()
		} else {
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			o.status, o.body = resp.StatusCode, string(b)
		}
		o.auth = ft.auth
		return o
	}
	for i, tc := range tests {
		for _, method := range []string{"GET", "POST", "HEAD"} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				t.Parallel()
				want := run(t, false, method, i)
				got := run(t, true, method, i)
				if got.status != want.status || got.body != want.body || got.err != want.err || strings.Join(got.auth, "|") != strings.Join(want.auth, "|") {
					t.Errorf("send = %+v; Client.Do gives %+v", got, want)
				}
			})
		}
	}
}

func TestURLErrorOp(t *testing.T) {
	t.Parallel()
	for method, want := range map[string]string{"": "Get", "GET": "Get", "POST": "Post", "PATCH": "Patch", "x": "x", "MKCOL": "Mkcol", "GÉT": "GÉT"} {
		if got := urlErrorOp(method); got != want {
			t.Errorf("urlErrorOp(%q) = %q; want %q", method, got, want)
		}
	}
}
