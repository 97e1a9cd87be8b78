package integration

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/portico-gw/portico/expr"
)

// paramMap is a ParamSource backed by a map, as a mode's would be.
type paramMap map[string]string

func (m paramMap) Value(ref *expr.Ref) (string, bool) {
	v, ok := m[ref.String()]
	return v, ok
}

// mustNew builds an Invoker or fails the test.
func mustNew(t testing.TB, spec Spec, env Env) Invoker {
	t.Helper()
	inv, err := New(spec, env)
	if err != nil {
		t.Fatalf("New(%+v): %v", spec, err)
	}
	return inv
}

// newServer starts an httptest server and closes it at cleanup.
func newServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// waitForCancel blocks a handler until the client goes away (or, as a
// safety net, a few seconds pass). It reads the body first: net/http only
// watches for a closed connection once the body has been consumed.
func waitForCancel(r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

// hijack takes over the connection, writes out (which may be nil) and
// closes it.
func hijack(t testing.TB, out []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		if out != nil {
			_, _ = conn.Write(out)
		}
	}
}

// garbage answers with bytes that are not HTTP.
func garbage(t testing.TB) http.HandlerFunc {
	return hijack(t, []byte("this is not HTTP at all\r\n\r\n"))
}

// hangUp closes the connection without answering.
func hangUp(t testing.TB) http.HandlerFunc { return hijack(t, nil) }

// errKind names what an Invoke error should be, for tables.
type errKind int

const (
	noErr errKind = iota
	anyErr
	timeoutErr
	functionErr
	malformedErr
	unsupportedErr
)

func (k errKind) String() string {
	return [...]string{"no error", "an error", "ErrTimeout", "*FunctionError", "*MalformedResponseError", "ErrUnsupportedMediaType"}[k]
}

// checkErr checks err against the kind of error expected.
func checkErr(t testing.TB, err error, want errKind) {
	t.Helper()
	var fe *FunctionError
	var me *MalformedResponseError
	got := noErr
	switch {
	case err == nil:
	case errors.Is(err, ErrTimeout):
		got = timeoutErr
	case errors.As(err, &fe):
		got = functionErr
	case errors.As(err, &me):
		got = malformedErr
	case errors.Is(err, ErrUnsupportedMediaType):
		got = unsupportedErr
	default:
		got = anyErr
	}
	if got != want {
		t.Fatalf("error = %v (%v), want %v", err, got, want)
	}
	if want == anyErr && errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want a failure, not a cancellation", err)
	}
}

// checkResponse compares a Response with the expected status, body and
// (a subset of) headers.
func checkResponse(t testing.TB, resp *Response, status int, body string, header http.Header) {
	t.Helper()
	if resp == nil {
		t.Fatal("nil Response")
	}
	if resp.StatusCode != status {
		t.Errorf("StatusCode = %d, want %d", resp.StatusCode, status)
	}
	if string(resp.Body) != body {
		t.Errorf("Body = %q, want %q", resp.Body, body)
	}
	if resp.Header == nil {
		t.Errorf("Header is nil")
	}
	for name, want := range header {
		if got := resp.Header.Values(name); !slices.Equal(got, want) {
			t.Errorf("Header[%s] = %q, want %q", name, got, want)
		}
	}
}
