package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes Parse panic or hang, and that its
// results keep their contract: a File or a non-empty ErrorList, never both,
// with positions inside the input.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"full.yaml", "full.json", "aws-cli.yaml", "rest.yaml", "rest-cli.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		minimal,
		httpAPI,
		"",
		"# comment\n",
		"- a\n",
		"listn: x\nlisten: [1]\nlisten: y\n",
		"apis: [{protocolType: WEBSOCKET, limits: {idleTimeout: 5, maxFrameBytes: \"1\"}}]",
		`{"apis": [{"routes": [{"routeKey": 1}]}]}`,
		"credentials: [{accessKeyId: ${AK}, secretAccessKey: $${x}${SK}}]\n",
		"apis:\n  - &a {apiId: x, routes: [&r {routeKey: a}, *r]}\n  - *a\n",
		"<<: {a: 1}\n? [a]\n: b\n~: c\n!Ref x: y\n",
		"a: 1\n---\nb: 2\n",
		"apis: [{routeSelectionExpression: \"${request.body.a\"}]",
		"apis: [{limits: {allowedOrigins: [\"https://*.\", \"http://[::1\"]}}]",
		"Apis: [{ApiId: x, apiId: y, Routes: {Items: [{RouteKey: a, RouteId: r}], NextToken: t}, Tags: {a: b}}]",
		"apis:\n\t- apiId: x\n",
		"listen: @x\n",
	} {
		f.Add([]byte(s))
	}
	vars := env(map[string]string{"PORTICO_SECRET_KEY": "x", "AK": "a"})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := parse("fuzz.yaml", data, vars)
		if err == nil {
			if file == nil {
				t.Fatal("nil File and nil error")
			}
			return
		}
		if file != nil {
			t.Fatal("a File with an error")
		}
		list, ok := errors.AsType[ErrorList](err)
		if !ok || len(list) == 0 {
			t.Fatalf("error %T %v, want a non-empty ErrorList", err, err)
		}
		// YAML breaks lines at \n, \r and a few Unicode breaks; the end of
		// the input can be one line further.
		lines := 1
		for _, br := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
			lines += bytes.Count(data, []byte(br))
		}
		for _, e := range list {
			if e.Msg == "" || e.File != "fuzz.yaml" || e.Line < 0 || e.Line > lines+1 || e.Column < 0 {
				t.Fatalf("bad error %#v for %d lines", e, lines)
			}
		}
	})
}
