package urlpath

import (
	"net/url"
	"testing"
)

var paths = []string{
	"/", "/b/@connections/R1kmxc2VNjMCFIA%3D", "/b/%40connections/R1kmxc2VNjMCFIA=", "/a%2Fb/c", "/a%2fb",
	"/a b", "/a%20b", "/%zz", "/a%", "/a%4", "/caf%C3%A9", "/café", "/a[b]", "/a?b", "/a;b=c", "/%2525", "*", "/~user/!$&'()*+,;=:@",
}

func TestEscapedMatchesURL(t *testing.T) {
	for _, p := range paths {
		u, err := url.Parse("http://h" + p)
		if err != nil {
			continue
		}
		if got, want := Escaped(u), u.EscapedPath(); got != want {
			t.Errorf("Escaped(%q) = %q, EscapedPath %q", p, got, want)
		}
		// A RawPath that no longer matches Path is ignored, as EscapedPath does.
		u.Path += "x"
		if got, want := Escaped(u), u.EscapedPath(); got != want {
			t.Errorf("Escaped(%q, stale RawPath) = %q, EscapedPath %q", p, got, want)
		}
	}
}

func FuzzUnescapesTo(f *testing.F) {
	for _, p := range paths {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain, err := url.PathUnescape(s)
		if err != nil {
			return
		}
		if !UnescapesTo(s, plain) || UnescapedLen(s) != len(plain) {
			t.Errorf("UnescapesTo(%q, %q) = false, UnescapedLen %d", s, plain, UnescapedLen(s))
		}
		if UnescapesTo(s, plain+"x") {
			t.Errorf("UnescapesTo(%q, %q+x) = true", s, plain)
		}
		u := &url.URL{Path: plain, RawPath: s}
		if got, want := Escaped(u), u.EscapedPath(); got != want {
			t.Errorf("Escaped(%q) = %q, EscapedPath %q", s, got, want)
		}
	})
}

func TestEscapedAllocs(t *testing.T) {
	u, _ := url.Parse("http://h/b/@connections/R1kmxc2VNjMCFIA%3D")
	if n := testing.AllocsPerRun(100, func() { _ = Escaped(u) }); n != 0 {
		t.Errorf("Escaped allocates %v times", n)
	}
}
