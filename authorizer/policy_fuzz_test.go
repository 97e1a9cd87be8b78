package authorizer

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzMatchWildcard checks matchWildcard against a regular expression built
// from the pattern: * is (?s).*, ? is one character, the rest is literal.
func FuzzMatchWildcard(f *testing.F) {
	const arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/1"
	seeds := [][2]string{
		{arn, arn},
		{"*", arn},
		{"arn:aws:execute-api:*", arn},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/*/GET/*", arn},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/?", arn},
		{"*/pets/??", arn},
		{"a*b*c", "aXbYbZc"},
		{"?é*", "éé/x"},
		{"**?*", ""},
		{"a.b(c)[d]", "a.b(c)[d]"},
		{"*\n*", "x\ny"},
		{"", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) || len(pattern) > 200 || len(s) > 400 {
			return
		}
		var re strings.Builder
		re.WriteString(`^(?s)`)
		for _, r := range pattern {
			switch r {
			case '*':
				re.WriteString(`.*`)
			case '?':
				re.WriteString(`.`)
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString(`$`)
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got := matchWildcard(pattern, s); got != want {
			t.Fatalf("matchWildcard(%q, %q) = %v, regexp %s says %v", pattern, s, got, re.String(), want)
		}
	})
}

// FuzzLambdaResponse feeds arbitrary answers to the response parser of
// both payload formats, with and without simple responses, then applies
// the valid ones to an ARN. Nothing may panic; a 1.0 context holds only
// scalars; a decision is one of the three.
func FuzzLambdaResponse(f *testing.F) {
	const arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/1"
	seeds := []string{
		`{"isAuthorized":true,"context":{"a":[1,{"b":null}]}}`,
		`{"isAuthorized":false}`,
		`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]},"context":{"n":1,"s":"x","b":true}}`,
		`{"principalId":"u","policyDocument":{"Statement":{"Effect":"Deny","Action":["*"],"Resource":["arn:aws:execute-api:*/GET/*"]}}}`,
		`{"principalId":"u","policyDocument":{"Statement":[{"Effect":"Allow","NotAction":"x","NotResource":"*/POST/*","Condition":{}}]}}`,
		`{"principalId":"u","policyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]},"context":{"o":{}}}`,
		`{"principalId":"u","policyDocument":{"Statement":[null,1,"x"]}}`,
		`{"principalId":1}`,
		`null`, `[]`, `""`, `{}`, `{"a":1}{}`, ``, `{"isAuthorized":true,"isAuthorized":"x"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, answer []byte) {
		for _, mode := range []struct{ v2, simple bool }{{false, false}, {true, false}, {true, true}} {
			resp, err := parseLambdaResponse(answer, mode.v2, mode.simple)
			if err != nil {
				if resp != nil {
					t.Fatalf("%s: a response and an error", answer)
				}
				continue
			}
			if !json.Valid(answer) {
				t.Fatalf("%s: accepted invalid JSON", answer)
			}
			if !mode.v2 {
				for k, v := range resp.context {
					switch v.(type) {
					case string, json.Number, bool:
					default:
						t.Fatalf("%s: 1.0 context %q is %T", answer, k, v)
					}
				}
			}
			res, err := resp.decide(arn, false)
			if (res == nil) == (err == nil) {
				t.Fatalf("%s: decide returned %v, %v", answer, res, err)
			}
			if err != nil {
				if denyStatus(err) != 403 {
					t.Fatalf("%s: decide error %v", answer, err)
				}
				continue
			}
			if mode.simple && (res.PrincipalID != "" || resp.policy != nil) || !mode.simple && resp.policy == nil {
				t.Fatalf("%s: simple %v, principal %q, policy %v", answer, mode.simple, res.PrincipalID, resp.policy)
			}
		}
	})
}
