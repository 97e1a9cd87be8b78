package connections

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadAtMostIsReadAllLimited checks readAtMost against what it replaces,
// io.ReadAll(io.LimitReader(body, limit+1)), whatever the announced size.
func TestReadAtMostIsReadAllLimited(t *testing.T) {
	for _, n := range []int{0, 1, 99, 100, 101, 511, 512, 513, 2000} {
		for _, limit := range []int{1, 100, 512, 1000} {
			for _, size := range []int64{-1, 0, int64(n), int64(n) + 7} {
				data := bytes.Repeat([]byte("x"), n)
				want, wantErr := io.ReadAll(io.LimitReader(iotest.OneByteReader(bytes.NewReader(data)), int64(limit)+1))
				got, err := readAtMost(iotest.HalfReader(bytes.NewReader(data)), limit, size)
				if !bytes.Equal(got, want) || err != wantErr {
					t.Errorf("n=%d limit=%d size=%d: %d bytes, %v; want %d, %v", n, limit, size, len(got), err, len(want), wantErr)
				}
			}
		}
	}
	if _, err := readAtMost(iotest.ErrReader(io.ErrUnexpectedEOF), 10, 5); err != io.ErrUnexpectedEOF {
		t.Errorf("error %v, want the reader's", err)
	}
}

// TestConnectionIDFromDecodedPath: the ID taken from the request's decoded
// path is the one PathUnescape gives, without a copy.
func TestConnectionIDFromDecodedPath(t *testing.T) {
	for _, tc := range []struct{ rest, path string }{
		{"/@connections/R1kmxc2VNjMCFIA%3D", "/dev/@connections/R1kmxc2VNjMCFIA="},
		{"/%40connections/R1kmxc2VNjMCFIA%3d", "/dev/@connections/R1kmxc2VNjMCFIA="},
		{"/@connections/R1kmxc2VNjMCFIA=", "/dev/@connections/R1kmxc2VNjMCFIA="},
		{"/@connections/R1kmxc2VNjMCFIA%3D", "/other"},   // a path that does not end with it
		{"/@connections/R1kmxc2VNjMCFIA%3D", "="},        // shorter than the ID
		{"/@connections/a%2Fb", "/dev/@connections/a/b"}, // an escaped slash
		{"/@connections/%zz", "/dev/@connections/%zz"},   // a bad escape
	} {
		wantID, wantOK := connectionIDFromPath(tc.rest)
		id, ok := connectionIDFromPathIn(tc.rest, tc.path)
		if id != wantID || ok != wantOK {
			t.Errorf("connectionIDFromPathIn(%q, %q) = %q %v, want %q %v", tc.rest, tc.path, id, ok, wantID, wantOK)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		_, _ = connectionIDFromPathIn("/@connections/R1kmxc2VNjMCFIA%3D", "/dev/@connections/R1kmxc2VNjMCFIA=")
	}); n != 0 {
		t.Errorf("connectionIDFromPathIn allocates %v times", n)
	}
}
