package config

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestYAMLSyntaxErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"tab indents", "apis:\n\t- apiId: x\n", "f.yaml:2:1: a tab character indents this line; YAML indents with spaces"},
		{"tab after spaces", "listen: 127.0.0.1:1\napis:\n  \t- apiId: x\n", "f.yaml:3:3: a tab character indents this line; YAML indents with spaces"},
		{"tab deep", minimal + "    limits:\n    \tmaxFrameBytes: 1\n", "f.yaml:15:5: a tab character indents this line; YAML indents with spaces"},
		{"character that starts no token", "listen: 127.0.0.1:1\nadmin: @x\n", `f.yaml:2:8: found character that cannot start any token ("@" cannot start a plain value: quote it)`},
		{"first line", "listen: `x`\n", "f.yaml:1:9: found character that cannot start any token (\"`\" cannot start a plain value: quote it)"},
		{"unclosed flow list", "apis: [\n", "f.yaml:1:1: did not find expected node content"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErrors(t, tc.doc, nil, tc.want) })
	}
}

// jsonErrors parses doc as a .json file, which must fail.
func jsonErrors(t testing.TB, doc string) string {
	t.Helper()
	_, err := parse("f.json", []byte(doc), env(nil))
	if err == nil {
		t.Fatalf("accepted:\n%s", doc)
	}
	return err.Error()
}

func TestJSONSyntaxErrors(t *testing.T) {
	full, err := os.ReadFile("testdata/full.json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(full), "\n")
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"bad character", `{"apis": [}`, "f.json:1:11: invalid character '}' looking for beginning of value"},
		{"later line", "{\n  \"listen\": \"x\",\n  \"apis\": [1,]\n}\n", "f.json:3:14: invalid character ']' looking for beginning of value"},
		{"missing comma", "{\n  \"listen\": \"x\"\n  \"apis\": []\n}\n", "f.json:3:3: invalid character '\"' after object key:value pair"},
		{"truncated", strings.Join(lines[:20], ""), fmt.Sprintf("f.json:20:%d: unexpected end of JSON: a closing } or ] (or the rest of the file) is missing", len(strings.TrimRight(lines[19], "\n"))+1)},
		{"trailing text", "{}\n}\n", "f.json:2:1: invalid character '}' after top-level value"},
		{"non-ASCII columns count characters", "{\"é\": x}", "f.json:1:7: invalid character 'x' looking for beginning of value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := jsonErrors(t, tc.doc); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	t.Run("tab-indented JSON loads", func(t *testing.T) {
		tabbed := strings.ReplaceAll(string(full), "  ", "\t")
		f, err := parse("f.json", []byte(tabbed), env(map[string]string{"PORTICO_SECRET_KEY": "s"}))
		if err != nil || len(f.APIs) != 2 {
			t.Fatalf("%v", err)
		}
	})
}

// TestLargeFiles is the regression test of defect 7: a big file without
// aliases was refused as an alias bomb.
func TestLargeFiles(t *testing.T) {
	t.Run("more values than the alias budget, without aliases", func(t *testing.T) {
		var routes strings.Builder
		n := maxAliasNodes/3 + 1000 // each route is three values
		for i := range n {
			fmt.Fprintf(&routes, "      - {routeKey: r%d, target: integrations/backend}\n", i)
		}
		doc := with(minimal, "    stages:\n", routes.String()+"    stages:\n")
		f := mustParse(t, doc, nil)
		if got := len(f.APIs[0].Routes); got != n+1 {
			t.Errorf("%d routes, want %d", got, n+1)
		}
	})
	t.Run("too many bytes", func(t *testing.T) {
		doc := minimal + strings.Repeat("# padding\n", maxFileBytes/10+1)
		wantErrors(t, doc, nil, "f.yaml: the file is 16.0 MiB; Portico reads config files up to 16 MiB")
	})
	t.Run("too many values", func(t *testing.T) {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte("apiKeys: [a, b, c, d]"), &n); err != nil {
			t.Fatal(err)
		}
		d := newDecoder("f.yaml", env(nil))
		d.valueLeft = 4
		var a API
		d.decode(n.Content[0], reflect.ValueOf(&a).Elem(), "")
		if len(d.errs) != 1 || d.errs[0].Error() != "f.yaml:1:17: apiKeys[2]: the file has more than 2000000 values; Portico reads no more" {
			t.Errorf("errors: %v", d.errs)
		}
	})
	t.Run("aliases still stop", func(t *testing.T) {
		rr := "&rr {routeResponseKey: $default}" + strings.Repeat(", *rr", 49)
		route := "&route {routeKey: a, routeResponses: [" + rr + "]}" + strings.Repeat(", *route", 49)
		doc := "apis:\n  - &api {protocolType: WEBSOCKET, routes: [" + route + "]}\n" + strings.Repeat("  - *api\n", 49)
		list := parseErrors(t, doc, nil)
		if len(list) != 1 || !strings.Contains(list[0].Msg, "more than 100000 values through aliases") {
			t.Errorf("errors: %v", list)
		}
	})
}
