package config

import (
	"reflect"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	vars := map[string]string{"HOST": "db", "PORT": "5432", "EMPTY": "", "_X1": "x", "NESTED": "${HOST}"}
	for _, tc := range []struct {
		in, want string
		missing  []string
	}{
		{in: "plain", want: "plain"},
		{in: "${HOST}:${PORT}", want: "db:5432"},
		{in: "pre-${HOST}-post", want: "pre-db-post"},
		{in: "${_X1}", want: "x"},
		{in: "[${EMPTY}]", want: "[]"},
		{in: "${NESTED}", want: "${HOST}"}, // values are not expanded again
		{in: "$${HOST}", want: "${HOST}"},
		{in: "$${request.body.x}", want: "${request.body.x}"},
		{in: "a$$b $5 $", want: "a$$b $5 $"},
		{in: "$connect", want: "$connect"},
		{in: "$default", want: "$default"},
		{in: "$request.body.action", want: "$request.body.action"},
		{in: "${request.body.action}", want: "${request.body.action}"},
		{in: "${stageVariables.url}/x", want: "${stageVariables.url}/x"},
		{in: "${lower}", want: "${lower}"},
		{in: "${1ABC}", want: "${1ABC}"},
		{in: "${A-B}", want: "${A-B}"},
		{in: "${}", want: "${}"},
		{in: "${HOST", want: "${HOST"},
		{in: "${request.body.${HOST}}", want: "${request.body.db}"},
		{in: "${MISSING}/${HOST}/${ALSO_MISSING}", want: "/db/", missing: []string{"MISSING", "ALSO_MISSING"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, missing := expandEnv(tc.in, env(vars))
			if got != tc.want || !reflect.DeepEqual(missing, tc.missing) {
				t.Errorf("expandEnv(%q) = %q, %q; want %q, %q", tc.in, got, missing, tc.want, tc.missing)
			}
		})
	}
}

func TestEnvInFile(t *testing.T) {
	doc := "credentials:\n  - accessKeyId: ${AK}\n    secretAccessKey: pre-${SK}-$${NOT}\n" +
		with(minimal, "$request.body.action", "${request.body.action}") +
		"    limits:\n      maxFrameBytes: ${FRAME}\n      idleTimeout: ${IDLE}\n" +
		"      allowedOrigins: [\"${ORIGIN}\"]\n"
	vars := map[string]string{"AK": "key", "SK": "s", "FRAME": "4096", "IDLE": "5m", "ORIGIN": "https://app.example.com"}

	t.Run("expanded", func(t *testing.T) {
		f := mustParse(t, doc, vars)
		if c := f.Credentials[0]; c.AccessKeyID != "key" || c.SecretAccessKey != "pre-s-${NOT}" {
			t.Errorf("credentials = %+v", c)
		}
		a := f.APIs[0]
		if a.RouteSelectionExpression != "${request.body.action}" || a.Routes[0].RouteKey != "$default" {
			t.Errorf("an expression was expanded: %q %q", a.RouteSelectionExpression, a.Routes[0].RouteKey)
		}
		if *a.Limits.MaxFrameBytes != 4096 || a.Limits.IdleTimeout.String() != "5m0s" || a.Limits.AllowedOrigins[0] != "https://app.example.com" {
			t.Errorf("limits = %+v", a.Limits)
		}
	})

	t.Run("set but empty", func(t *testing.T) {
		v := map[string]string{"AK": "", "SK": "", "FRAME": "4096", "IDLE": "5m", "ORIGIN": "*"}
		wantErrors(t, doc, v, "f.yaml:2:18: credentials[0].accessKeyId: required")
	})

	t.Run("unset", func(t *testing.T) {
		wantErrors(t, doc, map[string]string{"FRAME": "4096", "IDLE": "5m", "ORIGIN": "*"},
			"f.yaml:2:18: credentials[0].accessKeyId: environment variable AK is not set",
			"f.yaml:3:22: credentials[0].secretAccessKey: environment variable SK is not set")
	})

	t.Run("wrong type from the environment", func(t *testing.T) {
		wantErrors(t, doc, map[string]string{"AK": "a", "SK": "s", "FRAME": "4k", "IDLE": "300", "ORIGIN": "*"},
			`f.yaml:18:22: apis[0].limits.maxFrameBytes: want an integer, got "4k"`,
			"f.yaml:19:20: apis[0].limits.idleTimeout: 300 has no unit: write a unit, e.g. 30s or 10m")
	})

	t.Run("booleans from the environment", func(t *testing.T) {
		f := mustParse(t, "managementApi: {allowUnsigned: \"${UNSIGNED}\"}\n"+minimal, map[string]string{"UNSIGNED": "true"})
		if !f.ManagementAPI.AllowUnsigned {
			t.Error("allowUnsigned = false")
		}
	})

	t.Run("no structure injection", func(t *testing.T) {
		f := mustParse(t, "region: ${R}\n"+minimal, map[string]string{"R": "us-east-1"})
		if f.Region != "us-east-1" {
			t.Errorf("region = %q", f.Region)
		}
		// A value full of YAML stays one string, and is then judged as one.
		wantErrors(t, "region: ${R}\n"+minimal, map[string]string{"R": "x\napis: []\nlisten: {"},
			`f.yaml:1:9: region: "x\napis: []\nlisten: {" is not a region name such as us-east-1`)
	})

	t.Run("keys are not expanded", func(t *testing.T) {
		wantErrors(t, minimal+"        stageVariables: {\"KEY_${X}\": v}\n", map[string]string{"X": "no"},
			`f.yaml:14:26: apis[0].stages[0].stageVariables["KEY_${X}"]: stage variable names use letters, digits and _`)
	})
}
