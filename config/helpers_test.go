package config

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// minimal is the smallest valid file. Tests edit it; its line numbers are
// part of their expectations:
//
//	1 apis:            5 integrations:      9 routes:          12 stages:
//	2 apiId            6 integrationId     10 routeKey         13 stageName
//	3 protocolType     7 integrationType   11 target
//	4 routeSelection…  8 integrationUri
const minimal = `apis:
  - apiId: chat
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: backend
        integrationType: AWS_PROXY
        integrationUri: http://127.0.0.1:9000/events
    routes:
      - routeKey: $default
        target: integrations/backend
    stages:
      - stageName: dev
`

// with returns doc with each (old, new) pair replaced once. It panics when
// old is missing, so that a stale edit cannot silently test the base file.
func with(doc string, pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(doc, pairs[i]) {
			panic("with: " + strconv.Quote(pairs[i]) + " not found")
		}
		doc = strings.Replace(doc, pairs[i], pairs[i+1], 1)
	}
	return doc
}

// env is a LookupEnv hook backed by a map.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// mustParse parses doc and fails the test on any error.
func mustParse(t testing.TB, doc string, vars map[string]string) *File {
	t.Helper()
	f, err := parse("f.yaml", []byte(doc), env(vars))
	if err != nil {
		t.Fatalf("unexpected errors:\n%v", err)
	}
	if f == nil {
		t.Fatal("nil File without an error")
	}
	return f
}

// parseErrors parses doc, which must fail, and returns its ErrorList.
func parseErrors(t testing.TB, doc string, vars map[string]string) ErrorList {
	t.Helper()
	f, err := parse("f.yaml", []byte(doc), env(vars))
	if err == nil {
		t.Fatalf("accepted:\n%s", doc)
	}
	if f != nil {
		t.Errorf("a File came with the error")
	}
	list, ok := errors.AsType[ErrorList](err)
	if !ok {
		t.Fatalf("error is %T, want ErrorList", err)
	}
	if len(list) == 0 {
		t.Fatal("empty ErrorList")
	}
	return list
}

// wantErrors checks that doc fails with exactly the given messages, in order.
func wantErrors(t testing.TB, doc string, vars map[string]string, want ...string) {
	t.Helper()
	list := parseErrors(t, doc, vars)
	got := strings.Split(list.Error(), "\n")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
