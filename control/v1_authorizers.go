package control

import (
	"net/http"
	"slices"
	"strings"

	"github.com/portico-gw/portico/config"
)

// The authorizers of a REST API (apigateway v1): Lambda TOKEN and REQUEST
// authorizers and Cognito user pools. Like the resources, they are served
// from a deployment's snapshot.

// wireRestAuthorizer is the model's Authorizer.
type wireRestAuthorizer struct {
	ID                           string   `json:"id"`
	Name                         string   `json:"name"`
	Type                         string   `json:"type"`
	ProviderARNs                 []string `json:"providerARNs,omitempty"`
	AuthType                     string   `json:"authType,omitempty"`
	AuthorizerURI                string   `json:"authorizerUri,omitempty"`
	AuthorizerCredentials        string   `json:"authorizerCredentials,omitempty"`
	IdentitySource               string   `json:"identitySource,omitempty"`
	IdentityValidationExpression string   `json:"identityValidationExpression,omitempty"`
	AuthorizerResultTTLInSeconds *int     `json:"authorizerResultTtlInSeconds,omitempty"`
}

func authorizerToConfig(a *wireRestAuthorizer) config.RestAuthorizer {
	out := config.RestAuthorizer{ID: a.ID, Name: a.Name, Type: a.Type, AuthorizerURI: a.AuthorizerURI,
		IdentityValidationExpression: a.IdentityValidationExpression, ProviderARNs: slices.Clone(a.ProviderARNs),
		AuthorizerCredentials: a.AuthorizerCredentials, AuthType: a.AuthType}
	if a.AuthorizerResultTTLInSeconds != nil {
		ttl := *a.AuthorizerResultTTLInSeconds
		out.AuthorizerResultTTLInSeconds = &ttl
	}
	for s := range strings.SplitSeq(a.IdentitySource, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out.IdentitySource = append(out.IdentitySource, s)
		}
	}
	return out
}

func (rec *restRecord) authorizer(id string) *wireRestAuthorizer {
	for _, a := range rec.Authorizers {
		if a.ID == id {
			return a
		}
	}
	return nil
}

var errNoAuthorizerV1 = notFound("", "Invalid Authorizer identifier specified")

// checkAuthorizer checks what AWS checks of an authorizer when it is
// created or updated.
func checkAuthorizer(a *wireRestAuthorizer) *apiError {
	if a.Name == "" {
		return badRequest("Invalid authorizer name specified: name is required")
	}
	switch a.Type {
	case "TOKEN", "REQUEST":
		if a.AuthorizerURI == "" {
			return badRequest("Invalid Authorizer URI specified: authorizerUri is required for %s authorizers", a.Type)
		}
		if a.Type == "TOKEN" && a.IdentitySource == "" {
			return badRequest("Invalid identity source specified: identitySource is required for TOKEN authorizers")
		}
	case "COGNITO_USER_POOLS":
		if len(a.ProviderARNs) == 0 {
			return badRequest("Invalid Provider ARNs specified: providerARNs is required for COGNITO_USER_POOLS authorizers")
		}
	default:
		return badRequest("Invalid authorizer type specified. Valid options are TOKEN,REQUEST,COGNITO_USER_POOLS")
	}
	if t := a.AuthorizerResultTTLInSeconds; t != nil && (*t < 0 || *t > 3600) {
		return badRequest("Invalid authorizer result TTL: must be between 0 and 3600 seconds")
	}
	return nil
}

func createAuthorizerV1(c *Controller, in *call) (int, any, *apiError) {
	var req wireRestAuthorizer
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	if req.Type == "COGNITO_USER_POOLS" && req.IdentitySource == "" {
		req.IdentitySource = "method.request.header.Authorization"
	}
	if req.AuthorizerResultTTLInSeconds == nil && req.Type != "COGNITO_USER_POOLS" {
		ttl := 300
		req.AuthorizerResultTTLInSeconds = &ttl
	}
	if err := checkAuthorizer(&req); err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		a := req
		a.ID = newID(6, func(id string) bool { return rec.authorizer(id) != nil })
		if slices.ContainsFunc(rec.Authorizers, func(x *wireRestAuthorizer) bool { return x.Name == a.Name }) {
			return nil, conflict("Authorizer name already exists: %s", a.Name)
		}
		rec.Authorizers = append(rec.Authorizers, &a)
		return &a, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getAuthorizersV1(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	p, err := paginateV1(slices.Clone(rec.Authorizers), in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getAuthorizerV1(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	a := rec.authorizer(in.params["authorizer_id"])
	if a == nil {
		return 0, nil, errNoAuthorizerV1
	}
	return http.StatusOK, a, nil
}

func updateAuthorizerV1(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		a := rec.authorizer(in.params["authorizer_id"])
		if a == nil {
			return nil, errNoAuthorizerV1
		}
		next := *a
		if err := jsonPatch(&next, ops, "name", "type", "providerARNs", "authType", "authorizerUri", "authorizerCredentials",
			"identitySource", "identityValidationExpression", "authorizerResultTtlInSeconds"); err != nil {
			return nil, err
		}
		if err := checkAuthorizer(&next); err != nil {
			return nil, err
		}
		next.ID = a.ID
		*a = next
		return a, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteAuthorizerV1(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		id := in.params["authorizer_id"]
		if rec.authorizer(id) == nil {
			return nil, errNoAuthorizerV1
		}
		for _, r := range rec.Resources {
			for name, m := range r.ResourceMethods {
				if m.AuthorizerID == id {
					return nil, conflict("Cannot delete authorizer '%s', is referenced in method: %s/%s", id, name, r.Path)
				}
			}
		}
		rec.Authorizers = slices.DeleteFunc(rec.Authorizers, func(a *wireRestAuthorizer) bool { return a.ID == id })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}
