package routing

import (
	"errors"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	multi := NewResolver([]API{
		{ID: "chat", Stages: []string{"dev", "prod", "Prod", "a b", "$default-not"}},
		{ID: "web", Stages: []string{"$default", "v1"}},
		{ID: "MixedCase", Stages: []string{"dev"}},
	})
	single := NewResolver([]API{{ID: "chat", Stages: []string{"dev"}}})
	singleDefault := NewResolver([]API{{ID: "web", Stages: []string{"$default"}}})
	none := NewResolver(nil)
	type want = Target
	for _, tc := range []struct {
		name       string
		r          *Resolver
		host, path string
		want       Target
		err        error
		errAPI     string // APIID in the *ResolveError
		errStage   string
	}{
		// Host style
		{"host", multi, "chat.execute-api.localhost", "/dev", want{"chat", "dev", "/dev", "", ByHost}, nil, "", ""},
		{"host with port", multi, "chat.execute-api.localhost:8080", "/dev", want{"chat", "dev", "/dev", "", ByHost}, nil, "", ""},
		{"host AWS form", multi, "chat.execute-api.us-east-1.amazonaws.com:443", "/prod/@connections/abc%3D",
			want{"chat", "prod", "/prod", "/@connections/abc%3D", ByHost}, nil, "", ""},
		{"host upper case", multi, "CHAT.Execute-API.LOCALHOST:8080", "/dev/", want{"chat", "dev", "/dev", "/", ByHost}, nil, "", ""},
		{"host, API ID with capitals, exact", multi, "MixedCase.execute-api.x", "/dev", want{"MixedCase", "dev", "/dev", "", ByHost}, nil, "", ""},
		{"host, API ID with capitals, folded", multi, "mixedcase.execute-api.x", "/dev", want{"MixedCase", "dev", "/dev", "", ByHost}, nil, "", ""},
		{"host LocalStack form", multi, "chat.execute-api.localhost.localstack.cloud:4566", "/dev", want{"chat", "dev", "/dev", "", ByHost}, nil, "", ""},
		{"host unknown API", multi, "nope.execute-api.localhost", "/dev", Target{}, ErrUnknownAPI, "nope", ""},
		{"host unknown API, single API configured", single, "nope.execute-api.localhost", "/dev", Target{}, ErrUnknownAPI, "nope", ""},
		{"host wins over path style", multi, "chat.execute-api.localhost", "/_aws/execute-api/chat/dev", Target{}, ErrUnknownStage, "chat", "_aws"},
		{"host unknown stage", multi, "chat.execute-api.localhost", "/qa", Target{}, ErrUnknownStage, "chat", "qa"},
		{"host stage is case-sensitive", multi, "chat.execute-api.localhost", "/DEV", Target{}, ErrUnknownStage, "chat", "DEV"},
		{"host stages differing in case", multi, "chat.execute-api.localhost", "/Prod", want{"chat", "Prod", "/Prod", "", ByHost}, nil, "", ""},
		{"host no stage", multi, "chat.execute-api.localhost", "/", Target{}, ErrNoStage, "chat", ""},
		{"host empty path", multi, "chat.execute-api.localhost", "", Target{}, ErrNoStage, "chat", ""},
		{"host empty first segment", multi, "chat.execute-api.localhost", "//dev", Target{}, ErrNoStage, "chat", ""},
		{"host asterisk", multi, "chat.execute-api.localhost", "*", Target{}, ErrNoStage, "chat", ""},
		{"host encoded stage", multi, "chat.execute-api.localhost", "/d%65v/@connections/x", want{"chat", "dev", "/d%65v", "/@connections/x", ByHost}, nil, "", ""},
		{"host encoded space in stage", multi, "chat.execute-api.localhost", "/a%20b", want{"chat", "a b", "/a%20b", "", ByHost}, nil, "", ""},
		{"host encoded slash is not a separator", multi, "chat.execute-api.localhost", "/dev%2Fx", Target{}, ErrUnknownStage, "chat", "dev/x"},
		{"host malformed escape", multi, "chat.execute-api.localhost", "/%zz", Target{}, ErrUnknownStage, "chat", "%zz"},
		{"not execute-api: no label after", multi, "chat.execute-api", "/dev", Target{}, ErrUnknownAPI, "", ""},
		{"not execute-api: other label", multi, "chat.execute.localhost", "/dev", Target{}, ErrUnknownAPI, "", ""},
		{"not execute-api: no API label", multi, ".execute-api.localhost", "/dev", Target{}, ErrUnknownAPI, "", ""},
		{"not execute-api: IPv6", multi, "[::1]:8080", "/dev", Target{}, ErrUnknownAPI, "", ""},
		// Path style
		{"path", multi, "localhost:8080", "/_aws/execute-api/chat/dev", want{"chat", "dev", "/_aws/execute-api/chat/dev", "", ByPath}, nil, "", ""},
		{"path trailing slash", multi, "localhost", "/_aws/execute-api/chat/dev/", want{"chat", "dev", "/_aws/execute-api/chat/dev", "/", ByPath}, nil, "", ""},
		{"path connections", multi, "127.0.0.1:8080", "/_aws/execute-api/chat/prod/@connections/R1kmxc2VNjMCFIA%3D",
			want{"chat", "prod", "/_aws/execute-api/chat/prod", "/@connections/R1kmxc2VNjMCFIA%3D", ByPath}, nil, "", ""},
		{"path encoded stage", multi, "localhost", "/_aws/execute-api/chat/%64ev", want{"chat", "dev", "/_aws/execute-api/chat/%64ev", "", ByPath}, nil, "", ""},
		{"path encoded API ID", multi, "localhost", "/_aws/execute-api/c%68at/dev", want{"chat", "dev", "/_aws/execute-api/c%68at/dev", "", ByPath}, nil, "", ""},
		{"path API ID is case-sensitive", multi, "localhost", "/_aws/execute-api/CHAT/dev", Target{}, ErrUnknownAPI, "CHAT", ""},
		{"path unknown API", multi, "localhost", "/_aws/execute-api/zzz/dev", Target{}, ErrUnknownAPI, "zzz", ""},
		{"path unknown API, single API configured", single, "localhost", "/_aws/execute-api/zzz/dev", Target{}, ErrUnknownAPI, "zzz", ""},
		{"path empty API ID", multi, "localhost", "/_aws/execute-api/", Target{}, ErrUnknownAPI, "", ""},
		{"path unknown stage", multi, "localhost", "/_aws/execute-api/chat/qa", Target{}, ErrUnknownStage, "chat", "qa"},
		{"path no stage", multi, "localhost", "/_aws/execute-api/chat", Target{}, ErrNoStage, "chat", ""},
		{"path no stage, slash", multi, "localhost", "/_aws/execute-api/chat/", Target{}, ErrNoStage, "chat", ""},
		{"path $default stage", multi, "localhost", "/_aws/execute-api/web/items/1", want{"web", "$default", "/_aws/execute-api/web", "/items/1", ByPath}, nil, "", ""},
		{"path $default stage, bare", multi, "localhost", "/_aws/execute-api/web", want{"web", "$default", "/_aws/execute-api/web", "", ByPath}, nil, "", ""},
		{"path prefix is case-sensitive", single, "localhost", "/_AWS/execute-api/chat/dev", Target{}, ErrUnknownStage, "chat", "_AWS"},
		{"path prefix without API", multi, "localhost", "/_aws/execute-api", Target{}, ErrUnknownAPI, "", ""},
		// Single API
		{"single", single, "localhost:8080", "/dev", want{"chat", "dev", "/dev", "", BySingleAPI}, nil, "", ""},
		{"single any host", single, "example.com", "/dev/@connections/x", want{"chat", "dev", "/dev", "/@connections/x", BySingleAPI}, nil, "", ""},
		{"single no host", single, "", "/dev/", want{"chat", "dev", "/dev", "/", BySingleAPI}, nil, "", ""},
		{"single encoded stage", single, "x", "/%64%65%76", want{"chat", "dev", "/%64%65%76", "", BySingleAPI}, nil, "", ""},
		{"single no stage", single, "x", "/", Target{}, ErrNoStage, "chat", ""},
		{"single empty path", single, "x", "", Target{}, ErrNoStage, "chat", ""},
		{"single unknown stage", single, "x", "/Dev", Target{}, ErrUnknownStage, "chat", "Dev"},
		{"single via host too", single, "chat.execute-api.x", "/dev", want{"chat", "dev", "/dev", "", ByHost}, nil, "", ""},
		{"several APIs, plain path", multi, "localhost", "/dev", Target{}, ErrUnknownAPI, "", ""},
		{"no APIs", none, "localhost", "/dev", Target{}, ErrUnknownAPI, "", ""},
		// $default stage
		{"$default takes unknown segment", multi, "web.execute-api.x", "/items/1", want{"web", "$default", "", "/items/1", ByHost}, nil, "", ""},
		{"$default takes /", multi, "web.execute-api.x", "/", want{"web", "$default", "", "/", ByHost}, nil, "", ""},
		{"$default takes empty path", multi, "web.execute-api.x", "", want{"web", "$default", "", "", ByHost}, nil, "", ""},
		{"$default is not a path segment", multi, "web.execute-api.x", "/$default/x", want{"web", "$default", "", "/$default/x", ByHost}, nil, "", ""},
		{"named stage beats $default", multi, "web.execute-api.x", "/v1/items", want{"web", "v1", "/v1", "/items", ByHost}, nil, "", ""},
		{"named stage beats $default, encoded", multi, "web.execute-api.x", "/v%31", want{"web", "v1", "/v%31", "", ByHost}, nil, "", ""},
		{"$default single API", singleDefault, "localhost", "/anything", want{"web", "$default", "", "/anything", BySingleAPI}, nil, "", ""},
		{"$default stage name only exact", multi, "chat.execute-api.x", "/$default-not", want{"chat", "$default-not", "/$default-not", "", ByHost}, nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.r.Resolve(tc.host, tc.path)
			if tc.err == nil {
				if err != nil || got != tc.want {
					t.Fatalf("Resolve(%q, %q) = %+v, %v; want %+v", tc.host, tc.path, got, err, tc.want)
				}
				if got.BasePath+got.Rest != tc.path {
					t.Fatalf("BasePath+Rest = %q, want the path", got.BasePath+got.Rest)
				}
				return
			}
			var re *ResolveError
			if !errors.Is(err, tc.err) || !errors.As(err, &re) {
				t.Fatalf("Resolve(%q, %q) = %+v, %v; want a *ResolveError wrapping %v", tc.host, tc.path, got, err, tc.err)
			}
			if re.APIID != tc.errAPI || re.Stage != tc.errStage {
				t.Errorf("ResolveError names API %q stage %q; want %q %q", re.APIID, re.Stage, tc.errAPI, tc.errStage)
			}
			if got != (Target{}) {
				t.Errorf("Target %+v returned with an error", got)
			}
		})
	}
}

func TestResolveErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  *ResolveError
		want string
	}{
		{&ResolveError{Err: ErrUnknownAPI}, "routing: unknown API"},
		{&ResolveError{APIID: "zzz", Err: ErrUnknownAPI}, `routing: unknown API "zzz"`},
		{&ResolveError{APIID: "chat", Stage: "qa", Err: ErrUnknownStage}, `routing: unknown stage "qa" of API "chat"`},
		{&ResolveError{APIID: "chat", Err: ErrNoStage}, `routing: no stage in path of API "chat"`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestNewResolverInputs(t *testing.T) {
	apis := []API{{ID: "a", Stages: []string{"dev"}}, {ID: "a", Stages: []string{"prod"}}, {ID: "", Stages: []string{"x"}}}
	r := NewResolver(apis)
	apis[0].Stages[0] = "changed"
	for _, path := range []string{"/dev", "/prod"} {
		if tgt, err := r.Resolve("localhost", path); err != nil || tgt.Style != BySingleAPI {
			t.Errorf("Resolve(%q) = %+v, %v; duplicates should merge into one API, the empty ID be skipped, the input be copied", path, tgt, err)
		}
	}
}

func TestStyleString(t *testing.T) {
	for s, want := range map[Style]string{ByHost: "host", ByPath: "path", BySingleAPI: "single-api", 0: "Style(0)"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(s), s.String(), want)
		}
	}
}

func FuzzResolve(f *testing.F) {
	apis := []API{{ID: "chat", Stages: []string{"dev", "a b"}}, {ID: "web", Stages: []string{"$default", "v1"}}}
	resolvers := []*Resolver{NewResolver(apis), NewResolver(apis[:1]), NewResolver(apis[1:])}
	stages := map[string]map[string]bool{"chat": {"dev": true, "a b": true}, "web": {"$default": true, "v1": true}}
	for _, hp := range [][2]string{
		{"chat.execute-api.localhost:8080", "/dev"}, {"CHAT.EXECUTE-API.x", "/dev/@connections/a%3D"},
		{"localhost", "/_aws/execute-api/chat/dev/@connections/a"}, {"localhost", "/_aws/execute-api/web"},
		{"x", "/%zz"}, {"x", ""}, {"x", "/"}, {"web.execute-api.x", "/$default/x"}, {"[::1]:80", "/a%20b/"},
		{"nope.execute-api.x", "/dev"}, {"x", "*"},
	} {
		f.Add(hp[0], hp[1])
	}
	f.Fuzz(func(t *testing.T, host, path string) {
		for _, r := range resolvers {
			tgt, err := r.Resolve(host, path)
			if err != nil {
				var re *ResolveError
				if !errors.As(err, &re) || !(errors.Is(err, ErrUnknownAPI) || errors.Is(err, ErrUnknownStage) || errors.Is(err, ErrNoStage)) {
					t.Fatalf("error %#v", err)
				}
				if tgt != (Target{}) {
					t.Fatalf("Target %+v with an error", tgt)
				}
				continue
			}
			switch {
			case !stages[tgt.APIID][tgt.Stage]:
				t.Fatalf("%q %q resolved to unconfigured %+v", host, path, tgt)
			case tgt.BasePath+tgt.Rest != path:
				t.Fatalf("%q: BasePath+Rest = %q", path, tgt.BasePath+tgt.Rest)
			case tgt.Rest != "" && tgt.Rest[0] != '/':
				t.Fatalf("%q: Rest %q", path, tgt.Rest)
			case tgt.Style < ByHost || tgt.Style > BySingleAPI:
				t.Fatalf("style %v", tgt.Style)
			case tgt.Stage != "$default" && unescapeSegment(tgt.BasePath[strings.LastIndexByte(tgt.BasePath, '/')+1:]) != tgt.Stage:
				t.Fatalf("BasePath %q does not end in stage %q", tgt.BasePath, tgt.Stage)
			}
		}
	})
}

func BenchmarkResolve(b *testing.B) {
	r := NewResolver([]API{{ID: "chat", Stages: []string{"dev", "prod"}}, {ID: "web", Stages: []string{"$default"}}})
	for _, bc := range []struct{ name, host, path string }{
		{"host", "chat.execute-api.localhost:8080", "/dev/@connections/R1kmxc2VNjMCFIA%3D"},
		{"path", "localhost:8080", "/_aws/execute-api/chat/dev/@connections/R1kmxc2VNjMCFIA%3D"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Resolve(bc.host, bc.path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
