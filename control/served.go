package control

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/portico-gw/portico/config"
)

// What a control-plane API serves. A stage serves the deployment its
// deploymentId names, and nothing before it has one. Each deployment
// keeps a snapshot of the API's routes, integrations and authorizers; a
// stage with autoDeploy gets a new deployment on every change of the API
// (AWS's autoDeployed deployments). served turns a record into the
// config.API that goes through Apply: the API's own fields, its stages
// that have a deployment, each carrying its snapshot in
// config.Stage.Deployment (so each stage is built from its own snapshot,
// see config.API.StageAPIs), and no routes, integrations or authorizers
// of its own. An API none of whose stages is deployed is not served at
// all, and a route without a target is left out of what a stage serves.

// served returns the config.API that rec serves, or false when it serves
// nothing.
func served(rec *apiRecord) (config.API, bool) {
	a := rec.API
	out := config.API{
		APIID:                     a.APIID,
		Name:                      a.Name,
		Description:               a.Description,
		ProtocolType:              a.ProtocolType,
		RouteSelectionExpression:  a.RouteSelectionExpression,
		APIKeySelectionExpression: a.APIKeySelectionExpression,
		CorsConfiguration:         corsToConfig(a.CorsConfiguration),
	}
	if out.ProtocolType == "HTTP" {
		out.RouteSelectionExpression = ""  // always ${request.method} ${request.path}
		out.APIKeySelectionExpression = "" // HTTP APIs have no API keys
	}
	for _, st := range rec.Stages {
		d := rec.deployment(st.DeploymentID)
		if d == nil {
			continue
		}
		cs := config.Stage{
			StageName:      st.StageName,
			Description:    st.Description,
			AutoDeploy:     st.AutoDeploy,
			StageVariables: maps.Clone(st.StageVariables),
			Deployment:     snapshotToConfig(d.DeploymentID, &d.Snapshot),
		}
		if st.DefaultRouteSettings != nil {
			rs := routeSettingsToConfig(*st.DefaultRouteSettings)
			cs.DefaultRouteSettings = &rs
		}
		for k, rs := range st.RouteSettings {
			if cs.RouteSettings == nil {
				cs.RouteSettings = make(map[string]config.RouteSettings)
			}
			cs.RouteSettings[k] = routeSettingsToConfig(rs)
		}
		if l := st.AccessLogSettings; l != nil {
			cs.AccessLogSettings = &config.AccessLogSettings{Format: l.Format, DestinationARN: l.DestinationARN}
		}
		out.Stages = append(out.Stages, cs)
	}
	return out, len(out.Stages) > 0
}

func snapshotToConfig(id string, s *snapshot) *config.Deployment {
	d := &config.Deployment{DeploymentID: id}
	for _, r := range s.Routes {
		if r.Target == "" {
			continue
		}
		cr := config.Route{
			RouteKey:                         r.RouteKey,
			Target:                           r.Target,
			OperationName:                    r.OperationName,
			AuthorizationType:                r.AuthorizationType,
			APIKeyRequired:                   r.APIKeyRequired,
			AuthorizerID:                     r.AuthorizerID,
			AuthorizationScopes:              slices.Clone(r.AuthorizationScopes),
			RouteResponseSelectionExpression: r.RouteResponseSelectionExpression,
		}
		for _, rr := range r.Responses {
			cr.RouteResponses = append(cr.RouteResponses, config.RouteResponse{RouteResponseKey: rr.RouteResponseKey})
		}
		d.Routes = append(d.Routes, cr)
	}
	for _, in := range s.Integrations {
		ci := config.Integration{
			IntegrationID:               in.IntegrationID,
			Description:                 in.Description,
			IntegrationType:             in.IntegrationType,
			IntegrationURI:              in.IntegrationURI,
			IntegrationMethod:           in.IntegrationMethod,
			TimeoutInMillis:             in.TimeoutInMillis,
			PayloadFormatVersion:        in.PayloadFormatVersion,
			PassthroughBehavior:         in.PassthroughBehavior,
			TemplateSelectionExpression: in.TemplateSelectionExpression,
			RequestParameters:           maps.Clone(in.RequestParameters),
			RequestTemplates:            maps.Clone(in.RequestTemplates),
			ResponseParameters:          maps.Clone(in.ResponseParameters),
		}
		for _, ir := range in.Responses {
			ci.IntegrationResponses = append(ci.IntegrationResponses, config.IntegrationResponse{
				IntegrationResponseKey:      ir.IntegrationResponseKey,
				TemplateSelectionExpression: ir.TemplateSelectionExpression,
				ResponseTemplates:           maps.Clone(ir.ResponseTemplates),
				ResponseParameters:          maps.Clone(ir.ResponseParameters),
			})
		}
		d.Integrations = append(d.Integrations, ci)
	}
	for _, au := range s.Authorizers {
		ca := config.Authorizer{
			AuthorizerID:                   au.AuthorizerID,
			Name:                           au.Name,
			AuthorizerType:                 au.AuthorizerType,
			IdentitySource:                 slices.Clone(au.IdentitySource),
			AuthorizerURI:                  au.AuthorizerURI,
			AuthorizerPayloadFormatVersion: au.AuthorizerPayloadFormatVersion,
			EnableSimpleResponses:          au.EnableSimpleResponses,
			AuthorizerResultTTLInSeconds:   au.AuthorizerResultTTLInSeconds,
			AuthorizerCredentialsARN:       au.AuthorizerCredentialsARN,
		}
		if j := au.JWTConfiguration; j != nil {
			ca.JWTConfiguration = &config.JWTConfiguration{Issuer: j.Issuer, Audience: slices.Clone(j.Audience)}
		}
		d.Authorizers = append(d.Authorizers, ca)
	}
	return d
}

func corsToConfig(c *wireCors) *config.Cors {
	if c == nil {
		return nil
	}
	return &config.Cors{AllowOrigins: c.AllowOrigins, AllowCredentials: c.AllowCredentials, ExposeHeaders: c.ExposeHeaders,
		MaxAge: c.MaxAge, AllowMethods: c.AllowMethods, AllowHeaders: c.AllowHeaders}
}

func routeSettingsToConfig(rs wireRouteSettings) config.RouteSettings {
	return config.RouteSettings{ThrottlingBurstLimit: rs.ThrottlingBurstLimit, ThrottlingRateLimit: rs.ThrottlingRateLimit,
		DetailedMetricsEnabled: rs.DetailedMetricsEnabled}
}

// fileRecord shows a file-managed API as a record, for the read
// operations. Its routes, route responses and integration responses get
// IDs derived from their keys, the same on every call and every node.
func fileRecord(a *config.API) *apiRecord {
	rec := &apiRecord{API: wireAPI{
		APIID: a.APIID, Name: a.Name, Description: a.Description, ProtocolType: a.ProtocolType,
		RouteSelectionExpression: a.RouteSelectionExpression, APIKeySelectionExpression: a.APIKeySelectionExpression,
	}}
	if rec.API.ProtocolType == "HTTP" {
		rec.API.RouteSelectionExpression = "${request.method} ${request.path}"
	}
	if c := a.CorsConfiguration; c != nil {
		rec.API.CorsConfiguration = &wireCors{AllowOrigins: c.AllowOrigins, AllowCredentials: c.AllowCredentials,
			ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge, AllowMethods: c.AllowMethods, AllowHeaders: c.AllowHeaders}
	}
	for _, r := range a.Routes {
		rr := &routeRecord{wireRoute: wireRoute{
			RouteID: derivedID(7, "route", r.RouteKey), RouteKey: r.RouteKey, Target: r.Target, OperationName: r.OperationName,
			AuthorizationType: r.AuthorizationType, APIKeyRequired: r.APIKeyRequired, AuthorizerID: r.AuthorizerID,
			AuthorizationScopes: r.AuthorizationScopes, RouteResponseSelectionExpression: r.RouteResponseSelectionExpression,
		}}
		for _, resp := range r.RouteResponses {
			rr.Responses = append(rr.Responses, &wireRouteResponse{
				RouteResponseID: derivedID(6, "routeResponse", r.RouteKey+"\x00"+resp.RouteResponseKey), RouteResponseKey: resp.RouteResponseKey})
		}
		rec.Routes = append(rec.Routes, rr)
	}
	for _, in := range a.Integrations {
		ir := &integrationRecord{wireIntegration: wireIntegration{
			IntegrationID: in.IntegrationID, Description: in.Description, IntegrationType: in.IntegrationType,
			IntegrationURI: in.IntegrationURI, IntegrationMethod: in.IntegrationMethod, TimeoutInMillis: in.TimeoutInMillis,
			PayloadFormatVersion: in.PayloadFormatVersion, PassthroughBehavior: in.PassthroughBehavior,
			TemplateSelectionExpression: in.TemplateSelectionExpression, RequestParameters: in.RequestParameters,
			RequestTemplates: in.RequestTemplates, ResponseParameters: in.ResponseParameters,
		}}
		for _, resp := range in.IntegrationResponses {
			ir.Responses = append(ir.Responses, &wireIntegrationResponse{
				IntegrationResponseID:       derivedID(6, "integrationResponse", in.IntegrationID+"\x00"+resp.IntegrationResponseKey),
				IntegrationResponseKey:      resp.IntegrationResponseKey,
				TemplateSelectionExpression: resp.TemplateSelectionExpression,
				ResponseTemplates:           resp.ResponseTemplates, ResponseParameters: resp.ResponseParameters,
			})
		}
		rec.Integrations = append(rec.Integrations, ir)
	}
	for _, au := range a.Authorizers {
		ra := &wireAuthorizer{
			AuthorizerID: au.AuthorizerID, Name: au.Name, AuthorizerType: au.AuthorizerType, IdentitySource: au.IdentitySource,
			AuthorizerURI: au.AuthorizerURI, AuthorizerPayloadFormatVersion: au.AuthorizerPayloadFormatVersion,
			EnableSimpleResponses: au.EnableSimpleResponses, AuthorizerResultTTLInSeconds: au.AuthorizerResultTTLInSeconds,
			AuthorizerCredentialsARN: au.AuthorizerCredentialsARN,
		}
		if j := au.JWTConfiguration; j != nil {
			ra.JWTConfiguration = &wireJWTConfiguration{Issuer: j.Issuer, Audience: j.Audience}
		}
		rec.Authorizers = append(rec.Authorizers, ra)
	}
	for _, st := range a.Stages {
		s := &wireStage{StageName: st.StageName, Description: st.Description, AutoDeploy: st.AutoDeploy, StageVariables: st.StageVariables}
		if l := st.AccessLogSettings; l != nil {
			s.AccessLogSettings = &wireAccessLogSettings{Format: l.Format, DestinationARN: l.DestinationARN}
		}
		rec.Stages = append(rec.Stages, s)
	}
	return rec
}

// derivedID is n lowercase alphanumerics derived from kind and key.
func derivedID(n int, kind, key string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	sum := sha256.Sum256([]byte(kind + "\x00" + key))
	id := make([]byte, n)
	for i := range id {
		id[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(id)
}

// deepCopy returns a copy of v that shares nothing with it (through
// JSON, the form the Store keeps). Records come from JSON, so it fails
// only on a value JSON cannot hold; the change is then refused (500).
func deepCopy[T any](v T) (T, error) {
	var out T
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		return out, fmt.Errorf("control: copying a record: %w", err)
	}
	return out, nil
}

// errInternal answers a change the control plane could not make for a
// reason of its own; the log has the detail.
var errInternal = &apiError{Status: http.StatusInternalServerError, Type: "InternalServerException", Message: "Internal server error"}

func (rec *apiRecord) deployment(id string) *deploymentRecord {
	if id == "" {
		return nil
	}
	for _, d := range rec.Deployments {
		if d.DeploymentID == id {
			return d
		}
	}
	return nil
}
