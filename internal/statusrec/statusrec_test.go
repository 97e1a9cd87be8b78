package statusrec

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriter(t *testing.T) {
	rec := httptest.NewRecorder()
	w := &Writer{ResponseWriter: rec}
	_, _ = w.Write([]byte("hello"))
	w.WriteHeader(http.StatusTeapot) // too late: the first status stays
	if w.Status != http.StatusOK || w.Written != 5 || rec.Body.String() != "hello" {
		t.Fatalf("implicit 200: %+v", w)
	}
	w2 := &Writer{ResponseWriter: httptest.NewRecorder()}
	w2.WriteHeader(http.StatusNotFound)
	w2.WriteHeader(http.StatusOK)
	if w2.Status != http.StatusNotFound || w2.Unwrap() == nil {
		t.Fatalf("first status: %+v", w2)
	}
}
