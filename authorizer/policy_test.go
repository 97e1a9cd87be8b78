package authorizer

import (
	"strings"
	"testing"
)

func TestMatchWildcard(t *testing.T) {
	const arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/1"
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{arn, arn, true},
		{"*", arn, true},
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"arn:aws:execute-api:*", arn, true},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/*", arn, true},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/*/GET/*", arn, true},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/*/pets/*", arn, true},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/?", arn, true},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/??", arn, false},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets", arn, false},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/", arn, false},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/1/*", arn, false},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/get/pets/1", arn, false}, // case-sensitive
		{"arn:aws:execute-api:us-east-1:123456789012:ABCDEF1234/*", arn, false},
		{"arn:aws:execute-api:*:*:abcdef1234/prod/POST/*", arn, false},
		{"*/pets/1", arn, true},
		{"*/pets/2", arn, false},
		{"**", "abc", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"a*?", "a", false},
		{"a*?", "ab", true},
		{"?", "é", true}, // one character, two bytes
		{"??", "é", false},
		{"a?c", "a/c", true},
		{"*$connect", "arn:aws:execute-api:us-east-1:1:api/prod/$connect", true},
		{strings.Repeat("*a", 30) + "b", strings.Repeat("a", 200), false}, // no exponential backtracking
	}
	for _, tt := range tests {
		if got := matchWildcard(tt.pattern, tt.s); got != tt.want {
			t.Errorf("matchWildcard(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestPolicyEvaluate(t *testing.T) {
	const (
		api   = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234"
		pets1 = api + "/prod/GET/pets/1"
	)
	tests := []struct {
		name       string
		statements string // the Statement value
		want       decision
	}{
		{"allow", `[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + pets1 + `"}]`, allowed},
		{"allow listed", `[{"Effect":"Allow","Action":["execute-api:Invoke"],"Resource":["` + api + `/prod/POST/*","` + api + `/prod/GET/*"]}]`, allowed},
		{"allow one object", `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}`, allowed},
		{"deny", `[{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"` + pets1 + `"}]`, explicitDeny},
		{"implicit", `[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + api + `/prod/GET/pets/2"}]`, implicitDeny},
		{"empty", `[]`, implicitDeny},
		{"deny overrides allow", `[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:*","Resource":"` + api + `/*/GET/*"}]`, explicitDeny},
		{"deny overrides a later allow", `[{"Effect":"Deny","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]`, explicitDeny},
		{"deny elsewhere", `[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"` + api + `/prod/DELETE/*"}]`, allowed},
		{"action execute-api:*", `[{"Effect":"Allow","Action":"execute-api:*","Resource":"*"}]`, allowed},
		{"action case-insensitive", `[{"Effect":"Allow","Action":"Execute-API:invoke","Resource":"*"}]`, allowed},
		{"action wildcard", `[{"Effect":"Allow","Action":"execute-api:Inv*","Resource":"*"}]`, allowed},
		{"other action", `[{"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"*"}]`, implicitDeny},
		{"other action denied", `[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:ManageConnections","Resource":"*"}]`, allowed},
		{"empty action list", `[{"Effect":"Allow","Action":[],"Resource":"*"}]`, implicitDeny},
		{"NotResource", `[{"Effect":"Allow","Action":"*","NotResource":"` + api + `/prod/DELETE/*"}]`, allowed},
		{"NotResource excludes", `[{"Effect":"Allow","Action":"*","NotResource":["` + api + `/prod/GET/*"]}]`, implicitDeny},
		{"NotAction", `[{"Effect":"Deny","NotAction":"execute-api:Invoke","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]`, allowed},
		{"NotAction applies", `[{"Effect":"Allow","NotAction":"execute-api:ManageConnections","Resource":"*"}]`, allowed},
		{"conditional allow fails closed", `[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]`, implicitDeny},
		{"conditional deny fails closed", `[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"x":"true"}}}]`, explicitDeny},
		{"null condition", `[{"Effect":"Allow","Action":"*","Resource":"*","Condition":null}]`, allowed},
		{"Sid and unknown keys", `[{"Sid":"s1","Effect":"Allow","Action":"*","Resource":"*","Note":1}]`, allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parsePolicy([]byte(`{"Version":"2012-10-17","Statement":` + tt.statements + `}`))
			if err != nil {
				t.Fatalf("parsePolicy: %v", err)
			}
			if got := p.evaluate(pets1); got != tt.want {
				t.Errorf("evaluate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct {
		name, doc, wantErr string
	}{
		{"not an object", `[]`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"no Statement", `{"Version":"2012-10-17"}`, "no Statement"},
		{"null Statement", `{"Statement":null}`, "no Statement"},
		{"Statement a string", `{"Statement":"Allow"}`, "not an array or an object"},
		{"Statement of strings", `{"Statement":["Allow"]}`, "not an array of objects"},
		{"null statement", `{"Statement":[null]}`, "null is not a statement"},
		{"no Effect", `{"Statement":[{"Action":"*","Resource":"*"}]}`, "Effect (absent) is not a string"},
		{"Effect lower-case", `{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}`, `Effect "allow" is not Allow or Deny`},
		{"Effect a number", `{"Statement":[{"Effect":1,"Action":"*","Resource":"*"}]}`, "Effect 1 is not a string"},
		{"no Action", `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, "no Action"},
		{"Action and NotAction", `{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}]}`, "both Action and NotAction"},
		{"Action a number", `{"Statement":[{"Effect":"Allow","Action":1,"Resource":"*"}]}`, "Action 1 is not a string or an array of strings"},
		{"Action list of numbers", `{"Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}`, "Action is not an array of strings"},
		{"no Resource", `{"Statement":[{"Effect":"Allow","Action":"*"}]}`, "no Resource"},
		{"Resource null", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":null}]}`, "Resource null is not a string"},
		{"second statement", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny"}]}`, "Statement 1: no Action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parsePolicy([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("parsePolicy(%s): %v, want %q", tt.doc, err, tt.wantErr)
			}
		})
	}
}

func TestParseLambdaResponseErrors(t *testing.T) {
	const policy = `"policyDocument":{"Statement":[]}`
	tests := []struct {
		name, answer string
		v2, simple   bool
		wantErr      string
	}{
		{"empty", ``, false, false, "not a JSON object"},
		{"null", `null`, false, false, "null"},
		{"array", `[]`, true, true, "not a JSON object"},
		{"trailing", `{"principalId":"u",` + policy + `}x`, false, false, "data after the JSON value"},
		{"no principalId", `{` + policy + `}`, false, false, "no principalId"},
		{"null principalId", `{"principalId":null,` + policy + `}`, false, false, "principalId null is not a string"},
		{"no policyDocument", `{"principalId":"u"}`, true, false, "no policyDocument"},
		{"policyDocument a string", `{"principalId":"u","policyDocument":"{}"}`, false, false, "policyDocument: "},
		{"no isAuthorized", `{"principalId":"u",` + policy + `}`, true, true, "no isAuthorized"},
		{"isAuthorized a number", `{"isAuthorized":1}`, true, true, "isAuthorized 1 is not a boolean"},
		{"context a string", `{"isAuthorized":true,"context":"x"}`, true, true, "context \"x\" is not a JSON object"},
		{"1.0 context object value", `{"principalId":"u",` + policy + `,"context":{"a":{}}}`, false, false, `context value "a" is an object`},
		{"1.0 context array value", `{"principalId":"u",` + policy + `,"context":{"a":[]}}`, false, false, `context value "a" is an array`},
		{"1.0 context null value", `{"principalId":"u",` + policy + `,"context":{"a":null}}`, false, false, `context value "a" is null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseLambdaResponse([]byte(tt.answer), tt.v2, tt.simple)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("parseLambdaResponse(%s): %v, want %q", tt.answer, err, tt.wantErr)
			}
		})
	}
}
