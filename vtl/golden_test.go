package vtl

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files' output sections")

// goldenFile is a testdata/golden/*.vtltest file: txtar-style sections
// "-- name --". template is required; body is the payload; data is JSON
// with params (path, querystring, header), context and stageVariables;
// output is the exact rendered text; context-after, when present, the
// context after rendering as JSON.
type goldenFile struct {
	names    []string
	sections map[string]string
}

func parseGolden(b []byte) goldenFile {
	g := goldenFile{sections: map[string]string{}}
	name := ""
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if t := strings.TrimRight(line, "\n"); strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") {
			name = strings.TrimSuffix(strings.TrimPrefix(t, "-- "), " --")
			g.names = append(g.names, name)
			g.sections[name] = ""
			continue
		}
		if name != "" {
			g.sections[name] += line
		}
	}
	return g
}

func (g goldenFile) bytes() []byte {
	var b bytes.Buffer
	for _, n := range g.names {
		b.WriteString("-- " + n + " --\n")
		b.WriteString(g.sections[n])
	}
	return b.Bytes()
}

// TestGolden renders every golden template (Style: golden files for
// templates). Run with -update to rewrite output sections after a
// deliberate change, then review the diff.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.vtltest")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			g := parseGolden(raw)
			var d struct {
				Params struct {
					Path, QueryString, Header map[string]string
				}
				Context        map[string]any
				StageVariables map[string]string
			}
			if s := g.sections["data"]; s != "" {
				if err := json.Unmarshal([]byte(s), &d); err != nil {
					t.Fatalf("data: %v", err)
				}
			}
			data := &Data{
				Body:           []byte(strings.TrimSuffix(g.sections["body"], "\n")),
				Params:         Params{Path: d.Params.Path, QueryString: d.Params.QueryString, Header: d.Params.Header},
				Context:        d.Context,
				StageVariables: d.StageVariables,
			}
			out := mustRender(t, g.sections["template"], data)
			ctx, _ := json.Marshal(data.Context)
			if *update {
				g.sections["output"] = out
				if _, ok := g.sections["context-after"]; ok {
					g.sections["context-after"] = string(ctx) + "\n"
				}
				if err := os.WriteFile(file, g.bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := g.sections["output"]; out != want {
				t.Errorf("output differs\n got %q\nwant %q", out, want)
			}
			if want, ok := g.sections["context-after"]; ok && string(ctx)+"\n" != want {
				t.Errorf("context after render\n got %s\nwant %s", ctx, want)
			}
			if strings.Contains(file, ".json.") {
				var v any
				if err := json.Unmarshal([]byte(out), &v); err != nil {
					t.Errorf("output is not JSON: %v", err)
				}
			}
		})
	}
}
