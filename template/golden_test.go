package template

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden loads each testdata/*.yaml template and compares the File it
// becomes (zero values left out, code paths relative to testdata) and its
// warnings with testdata/*.golden. Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no templates in testdata: %v", err)
	}
	paths = append(paths, filepath.Join("..", "examples", "sam-chat", "template.yaml"))
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		if strings.Contains(path, "examples") {
			name = "example-sam-chat"
		}
		t.Run(name, func(t *testing.T) {
			f, err := Load(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			// What the template became is a valid config on its own.
			if err := config.Validate(f, name); err != nil {
				t.Errorf("config.Validate: %v", err)
			}
			got := render(t, f, filepath.Dir(path))
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test -update and review the diff):\n%s", path, golden, got)
			}
		})
	}
}

// render prints f without its zero values, code paths relative to dir,
// then its warnings.
func render(t testing.TB, f *config.File, dir string) []byte {
	t.Helper()
	abs, _ := filepath.Abs(dir)
	for i := range f.Functions {
		if rel, err := filepath.Rel(abs, f.Functions[i].CodeURI); err == nil {
			f.Functions[i].CodeURI = filepath.ToSlash(rel)
		}
	}
	warnings := f.Warnings
	f.Warnings = nil
	var n yaml.Node
	if err := n.Encode(f); err != nil {
		t.Fatal(err)
	}
	prune(&n)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		t.Fatal(err)
	}
	for _, w := range warnings {
		w.File = filepath.ToSlash(w.File)
		fmt.Fprintf(&b, "# warning: %v\n", w)
	}
	f.Warnings = warnings
	return b.Bytes()
}

// prune removes the zero values of a mapping, recursively; it reports
// whether n is empty.
func prune(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.MappingNode:
		var kept []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			// Keys with dots (method.request.header.X: false) are data.
			if !prune(n.Content[i+1]) || strings.Contains(n.Content[i].Value, ".") {
				kept = append(kept, n.Content[i], n.Content[i+1])
			}
		}
		n.Content = kept
		return len(kept) == 0
	case yaml.SequenceNode:
		for _, c := range n.Content {
			prune(c)
		}
		return len(n.Content) == 0
	case yaml.ScalarNode:
		return n.Tag == "!!null" || n.Value == "" || n.Value == "false" && n.Tag == "!!bool" || n.Value == "0" && n.Tag == "!!int" || n.Value == "0s"
	}
	return false
}
