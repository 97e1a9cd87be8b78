package authorizer

import (
	"strings"
	"testing"
)

// FuzzParseV1IdentitySource checks that every accepted identity source
// builds a REQUEST authorizer, that parsing is stable once joined again,
// and that TOKEN accepts exactly the single-header ones.
func FuzzParseV1IdentitySource(f *testing.F) {
	for _, s := range []string{
		"", "method.request.header.Authorization",
		"method.request.header.Auth, method.request.querystring.Name",
		"stageVariables.env,context.identity.sourceIp", "method.request.path.id",
		"method.request.header.,", " , ", "method.request.header.A B", "context.a,,b",
	} {
		f.Add(s)
	}
	invoke := answering(`{}`).Invoke
	f.Fuzz(func(t *testing.T, s string) {
		sources, err := ParseV1IdentitySource(s)
		if err != nil {
			return
		}
		if err := (LambdaConfig{Invoke: invoke, IdentitySources: sources}).Validate(); err != nil {
			t.Fatalf("ParseV1IdentitySource(%q) = %q, which REQUEST refuses: %v", s, sources, err)
		}
		again, err := ParseV1IdentitySource(strings.Join(sources, ","))
		if err != nil || strings.Join(again, ",") != strings.Join(sources, ",") {
			t.Fatalf("reparsing %q: %q, %v", sources, again, err)
		}
		token := LambdaConfig{Invoke: invoke, Type: TypeToken, IdentitySources: sources}.Validate() == nil
		oneHeader := len(sources) == 1 && strings.HasPrefix(sources[0], "method.request.header.")
		if token != oneHeader {
			t.Fatalf("%q: TOKEN accepts it: %v, one header: %v", sources, token, oneHeader)
		}
	})
}

// FuzzCognitoIssuer checks that every issuer CognitoIssuer returns is one
// a Cognito authorizer accepts.
func FuzzCognitoIssuer(f *testing.F) {
	for _, s := range []string{
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/", "arn:aws:cognito-idp::1:userpool/x",
		"arn:aws:cognito-idp:us-east-1:1:userpool/a/b", "arn:aws:cognito-idp:a@b:1:userpool/x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		iss, err := CognitoIssuer(arn)
		if err != nil {
			return
		}
		if err := (CognitoConfig{Issuers: []string{iss}}).Validate(); err != nil {
			t.Fatalf("CognitoIssuer(%q) = %q, which NewCognito refuses: %v", arn, iss, err)
		}
	})
}
