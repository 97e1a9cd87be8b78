package control

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portico-gw/portico/config"
)

// The apigateway (v1) REST API resources, as the REST-JSON wire carries
// them (botocore's apigateway 2015-07-09 model: camelCase members,
// epoch-second timestamps, lists as {"item":[…],"position"}) and as the
// Store keeps them (key v1.restapis.{restApiId}).

// epoch is a time written as seconds since the epoch, the rest-json
// default that apigateway uses.
type epoch time.Time

// MarshalJSON writes t as whole seconds since the epoch.
func (t epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatInt(time.Time(t).Unix(), 10)), nil
}

// UnmarshalJSON reads seconds since the epoch (fractions allowed).
func (t *epoch) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*t = epoch(time.Unix(0, int64(f*1e9)).UTC())
	return nil
}

// time returns t as a time.Time; nil is the zero time.
func (t *epoch) time() time.Time {
	if t == nil {
		return time.Time{}
	}
	return time.Time(*t)
}

func (c *Controller) epochNow() *epoch {
	t := epoch(c.now().Truncate(time.Second))
	return &t
}

// wireRestAPI is the model's RestApi.
type wireRestAPI struct {
	ID                        string                     `json:"id"`
	Name                      string                     `json:"name"`
	Description               string                     `json:"description,omitempty"`
	CreatedDate               *epoch                     `json:"createdDate,omitempty"`
	Version                   string                     `json:"version,omitempty"`
	BinaryMediaTypes          []string                   `json:"binaryMediaTypes,omitempty"`
	MinimumCompressionSize    *int                       `json:"minimumCompressionSize,omitempty"`
	APIKeySource              string                     `json:"apiKeySource,omitempty"`
	EndpointConfiguration     *wireEndpointConfiguration `json:"endpointConfiguration,omitempty"`
	Policy                    string                     `json:"policy,omitempty"`
	Tags                      map[string]string          `json:"tags,omitempty"`
	DisableExecuteAPIEndpoint bool                       `json:"disableExecuteApiEndpoint"`
	RootResourceID            string                     `json:"rootResourceId,omitempty"`
}

// wireEndpointConfiguration is the model's EndpointConfiguration.
type wireEndpointConfiguration struct {
	Types          []string `json:"types,omitempty"`
	IPAddressType  string   `json:"ipAddressType,omitempty"`
	VpcEndpointIDs []string `json:"vpcEndpointIds,omitempty"`
}

// wireResource is the model's Resource, with its methods whole (as
// get-resources --embed methods shows them).
type wireResource struct {
	ID              string                 `json:"id"`
	ParentID        string                 `json:"parentId,omitempty"`
	PathPart        string                 `json:"pathPart,omitempty"`
	Path            string                 `json:"path"`
	ResourceMethods map[string]*wireMethod `json:"resourceMethods,omitempty"`
}

// wireMethod is the model's Method.
type wireMethod struct {
	HTTPMethod          string                         `json:"httpMethod"`
	AuthorizationType   string                         `json:"authorizationType"`
	AuthorizerID        string                         `json:"authorizerId,omitempty"`
	APIKeyRequired      bool                           `json:"apiKeyRequired"`
	RequestValidatorID  string                         `json:"requestValidatorId,omitempty"`
	OperationName       string                         `json:"operationName,omitempty"`
	RequestParameters   map[string]bool                `json:"requestParameters,omitempty"`
	RequestModels       map[string]string              `json:"requestModels,omitempty"`
	MethodResponses     map[string]*wireMethodResponse `json:"methodResponses,omitempty"`
	MethodIntegration   *wireRestIntegration           `json:"methodIntegration,omitempty"`
	AuthorizationScopes []string                       `json:"authorizationScopes,omitempty"`
}

// wireMethodResponse is the model's MethodResponse.
type wireMethodResponse struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

// wireRestIntegration is the model's Integration. PutIntegration's
// integrationHttpMethod is httpMethod on the wire, as here.
type wireRestIntegration struct {
	Type                 string                                  `json:"type"`
	HTTPMethod           string                                  `json:"httpMethod,omitempty"`
	URI                  string                                  `json:"uri,omitempty"`
	ConnectionType       string                                  `json:"connectionType,omitempty"`
	ConnectionID         string                                  `json:"connectionId,omitempty"`
	Credentials          string                                  `json:"credentials,omitempty"`
	RequestParameters    map[string]string                       `json:"requestParameters,omitempty"`
	RequestTemplates     map[string]string                       `json:"requestTemplates,omitempty"`
	PassthroughBehavior  string                                  `json:"passthroughBehavior,omitempty"`
	ContentHandling      string                                  `json:"contentHandling,omitempty"`
	TimeoutInMillis      int                                     `json:"timeoutInMillis,omitempty"`
	CacheNamespace       string                                  `json:"cacheNamespace,omitempty"`
	CacheKeyParameters   []string                                `json:"cacheKeyParameters"`
	IntegrationResponses map[string]*wireRestIntegrationResponse `json:"integrationResponses,omitempty"`
	TLSConfig            *wireRestTLSConfig                      `json:"tlsConfig,omitempty"`
}

// wireRestTLSConfig is the model's TlsConfig.
type wireRestTLSConfig struct {
	InsecureSkipVerification bool `json:"insecureSkipVerification"`
}

// wireRestIntegrationResponse is the model's IntegrationResponse.
type wireRestIntegrationResponse struct {
	StatusCode         string            `json:"statusCode"`
	SelectionPattern   string            `json:"selectionPattern,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	ContentHandling    string            `json:"contentHandling,omitempty"`
}

// wireRestDeployment is the model's Deployment.
type wireRestDeployment struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	CreatedDate *epoch `json:"createdDate,omitempty"`
}

// wireRestStage is the model's Stage.
type wireRestStage struct {
	DeploymentID        string                        `json:"deploymentId,omitempty"`
	ClientCertificateID string                        `json:"clientCertificateId,omitempty"`
	StageName           string                        `json:"stageName"`
	Description         string                        `json:"description,omitempty"`
	CacheClusterEnabled bool                          `json:"cacheClusterEnabled"`
	CacheClusterStatus  string                        `json:"cacheClusterStatus,omitempty"`
	MethodSettings      map[string]*wireMethodSetting `json:"methodSettings,omitempty"`
	Variables           map[string]string             `json:"variables,omitempty"`
	AccessLogSettings   *wireAccessLogSettings        `json:"accessLogSettings,omitempty"`
	TracingEnabled      bool                          `json:"tracingEnabled"`
	Tags                map[string]string             `json:"tags,omitempty"`
	CreatedDate         *epoch                        `json:"createdDate,omitempty"`
	LastUpdatedDate     *epoch                        `json:"lastUpdatedDate,omitempty"`
}

// wireMethodSetting is the model's MethodSetting. Portico acts on the
// throttling; the others are kept and shown.
type wireMethodSetting struct {
	MetricsEnabled                         bool    `json:"metricsEnabled"`
	LoggingLevel                           string  `json:"loggingLevel,omitempty"`
	DataTraceEnabled                       bool    `json:"dataTraceEnabled"`
	ThrottlingBurstLimit                   int     `json:"throttlingBurstLimit"`
	ThrottlingRateLimit                    float64 `json:"throttlingRateLimit"`
	CachingEnabled                         bool    `json:"cachingEnabled"`
	CacheTTLInSeconds                      int     `json:"cacheTtlInSeconds"`
	CacheDataEncrypted                     bool    `json:"cacheDataEncrypted"`
	RequireAuthorizationForCacheControl    bool    `json:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string  `json:"unauthorizedCacheControlHeaderStrategy,omitempty"`
}

// restRecord is one control-plane REST API in the Store (key
// v1.restapis.{restApiId}): the API, its resources as they are now, its
// stages and its deployments, each with the resources it froze.
type restRecord struct {
	API               wireRestAPI             `json:"restApi"`
	Resources         []*wireResource         `json:"resources,omitempty"`
	GatewayResponses  []*wireGatewayResponse  `json:"gatewayResponses,omitempty"`
	Authorizers       []*wireRestAuthorizer   `json:"authorizers,omitempty"`
	Models            []*wireRestModel        `json:"models,omitempty"`
	RequestValidators []*wireRequestValidator `json:"requestValidators,omitempty"`
	Stages            []*wireRestStage        `json:"stages,omitempty"`
	Deployments       []*restDeploymentRecord `json:"deployments,omitempty"`
}

// restDeploymentRecord is a deployment and the resources it froze. A
// snapshot never changes.
type restDeploymentRecord struct {
	wireRestDeployment
	Resources         []*wireResource         `json:"snapshot,omitempty"`
	GatewayResponses  []*wireGatewayResponse  `json:"gatewayResponses,omitempty"`
	Authorizers       []*wireRestAuthorizer   `json:"authorizers,omitempty"`
	Models            []*wireRestModel        `json:"models,omitempty"`
	RequestValidators []*wireRequestValidator `json:"requestValidators,omitempty"`
}

// wireGatewayResponse is the model's GatewayResponse. The record keeps
// the overrides only; the defaults are made when shown.
type wireGatewayResponse struct {
	ResponseType       string            `json:"responseType"`
	StatusCode         string            `json:"statusCode,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
	DefaultResponse    bool              `json:"defaultResponse"`
}

// itemPage is a v1 list answer: {"item":[…],"position":"…"}.
type itemPage[T any] struct {
	Items    []T    `json:"item"`
	Position string `json:"position,omitempty"`
}

func (rec *restRecord) resource(id string) *wireResource {
	for _, r := range rec.Resources {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (rec *restRecord) deployment(id string) *restDeploymentRecord {
	for _, d := range rec.Deployments {
		if d.ID == id {
			return d
		}
	}
	return nil
}

func (rec *restRecord) stage(name string) *wireRestStage {
	for _, s := range rec.Stages {
		if s.StageName == name {
			return s
		}
	}
	return nil
}

// restServed returns the config.RestAPI that rec serves: each stage that
// has a deployment, with the deployment's resources in its Deployment; or
// false when no stage is deployed.
func restServed(rec *restRecord) (config.RestAPI, bool) {
	a := rec.API
	out := config.RestAPI{RestAPIID: a.ID, Name: a.Name, Description: a.Description,
		BinaryMediaTypes: slices.Clone(a.BinaryMediaTypes), APIKeySource: a.APIKeySource}
	for _, st := range rec.Stages {
		d := rec.deployment(st.DeploymentID)
		if d == nil {
			continue
		}
		cs := config.RestStage{StageName: st.StageName, DeploymentID: st.DeploymentID, Description: st.Description,
			Variables: maps.Clone(st.Variables), Deployment: deploymentToConfig(d)}
		if l := st.AccessLogSettings; l != nil {
			cs.AccessLogSettings = &config.AccessLogSettings{Format: l.Format, DestinationARN: l.DestinationARN}
		}
		for k, ms := range st.MethodSettings {
			if cs.MethodSettings == nil {
				cs.MethodSettings = make(map[string]config.MethodSetting, len(st.MethodSettings))
			}
			rate, burst := ms.ThrottlingRateLimit, ms.ThrottlingBurstLimit
			cs.MethodSettings[k] = config.MethodSetting{ThrottlingRateLimit: &rate, ThrottlingBurstLimit: &burst}
		}
		out.Stages = append(out.Stages, cs)
	}
	return out, len(out.Stages) > 0
}

// deploymentToConfig converts what a deployment froze into the config
// model, every map fresh.
func deploymentToConfig(d *restDeploymentRecord) *config.RestDeployment {
	cd := &config.RestDeployment{DeploymentID: d.ID, Resources: resourcesToConfig(d.Resources)}
	for _, au := range d.Authorizers {
		cd.Authorizers = append(cd.Authorizers, authorizerToConfig(au))
	}
	for _, m := range d.Models {
		cd.Models = append(cd.Models, config.RestModel{ID: m.ID, Name: m.Name, Description: m.Description,
			Schema: m.Schema, ContentType: m.ContentType})
	}
	for _, v := range d.RequestValidators {
		cd.RequestValidators = append(cd.RequestValidators, config.RequestValidator{ID: v.ID, Name: v.Name,
			ValidateRequestBody: v.ValidateRequestBody, ValidateRequestParameters: v.ValidateRequestParameters})
	}
	for _, g := range d.GatewayResponses {
		cd.GatewayResponses = append(cd.GatewayResponses, config.GatewayResponse{ResponseType: g.ResponseType,
			StatusCode: g.StatusCode, ResponseParameters: maps.Clone(g.ResponseParameters), ResponseTemplates: maps.Clone(g.ResponseTemplates)})
	}
	return cd
}

// resourcesToConfig converts resources to the flat, normalised form
// config.RestDeployment holds: sorted by path, every map fresh.
func resourcesToConfig(rs []*wireResource) []config.RestResource {
	out := make([]config.RestResource, 0, len(rs))
	for _, r := range rs {
		cr := config.RestResource{ID: r.ID, ParentID: r.ParentID, PathPart: r.PathPart, Path: r.Path}
		for name, m := range r.ResourceMethods {
			if cr.ResourceMethods == nil {
				cr.ResourceMethods = make(map[string]config.RestMethod, len(r.ResourceMethods))
			}
			cm := config.RestMethod{HTTPMethod: name, AuthorizationType: m.AuthorizationType, AuthorizerID: m.AuthorizerID,
				APIKeyRequired: m.APIKeyRequired, AuthorizationScopes: slices.Clone(m.AuthorizationScopes),
				RequestParameters: maps.Clone(m.RequestParameters), RequestModels: maps.Clone(m.RequestModels),
				RequestValidatorID: m.RequestValidatorID, OperationName: m.OperationName}
			for code, mr := range m.MethodResponses {
				if cm.MethodResponses == nil {
					cm.MethodResponses = map[string]config.MethodResponse{}
				}
				cm.MethodResponses[code] = config.MethodResponse{StatusCode: code,
					ResponseParameters: maps.Clone(mr.ResponseParameters), ResponseModels: maps.Clone(mr.ResponseModels)}
			}
			if in := m.MethodIntegration; in != nil {
				ci := &config.RestIntegration{Type: in.Type, URI: in.URI, HTTPMethod: in.HTTPMethod,
					RequestParameters: maps.Clone(in.RequestParameters), RequestTemplates: maps.Clone(in.RequestTemplates),
					PassthroughBehavior: in.PassthroughBehavior, ContentHandling: in.ContentHandling,
					TimeoutInMillis: in.TimeoutInMillis, CacheKeyParameters: slices.Clone(in.CacheKeyParameters),
					CacheNamespace: in.CacheNamespace, ConnectionType: in.ConnectionType, ConnectionID: in.ConnectionID,
					Credentials: in.Credentials}
				if in.TLSConfig != nil {
					ci.TLSConfig = &config.RestTLSConfig{InsecureSkipVerification: in.TLSConfig.InsecureSkipVerification}
				}
				for code, ir := range in.IntegrationResponses {
					if ci.IntegrationResponses == nil {
						ci.IntegrationResponses = map[string]config.RestIntegrationResponse{}
					}
					ci.IntegrationResponses[code] = config.RestIntegrationResponse{StatusCode: code, SelectionPattern: ir.SelectionPattern,
						ResponseParameters: maps.Clone(ir.ResponseParameters), ResponseTemplates: maps.Clone(ir.ResponseTemplates),
						ContentHandling: ir.ContentHandling}
				}
				cm.MethodIntegration = ci
			}
			cr.ResourceMethods[name] = cm
		}
		out = append(out, cr)
	}
	slices.SortFunc(out, func(a, b config.RestResource) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// resourcesFromConfig shows a file-managed REST API's resources on the
// wire.
func resourcesFromConfig(rs []config.RestResource) []*wireResource {
	out := make([]*wireResource, 0, len(rs))
	for _, r := range rs {
		wr := &wireResource{ID: r.ID, ParentID: r.ParentID, PathPart: r.PathPart, Path: r.Path}
		for name, m := range r.ResourceMethods {
			if wr.ResourceMethods == nil {
				wr.ResourceMethods = map[string]*wireMethod{}
			}
			wm := &wireMethod{HTTPMethod: name, AuthorizationType: cmp.Or(m.AuthorizationType, "NONE"), AuthorizerID: m.AuthorizerID,
				APIKeyRequired: m.APIKeyRequired, AuthorizationScopes: m.AuthorizationScopes, RequestParameters: m.RequestParameters,
				RequestModels: m.RequestModels, RequestValidatorID: m.RequestValidatorID, OperationName: m.OperationName}
			for code, mr := range m.MethodResponses {
				if wm.MethodResponses == nil {
					wm.MethodResponses = map[string]*wireMethodResponse{}
				}
				wm.MethodResponses[code] = &wireMethodResponse{StatusCode: code, ResponseParameters: mr.ResponseParameters, ResponseModels: mr.ResponseModels}
			}
			if in := m.MethodIntegration; in != nil {
				wi := &wireRestIntegration{Type: in.Type, URI: in.URI, HTTPMethod: in.HTTPMethod, RequestParameters: in.RequestParameters,
					RequestTemplates: in.RequestTemplates, PassthroughBehavior: in.PassthroughBehavior, ContentHandling: in.ContentHandling,
					TimeoutInMillis: in.TimeoutInMillis, CacheNamespace: in.CacheNamespace, CacheKeyParameters: in.CacheKeyParameters,
					ConnectionType: in.ConnectionType, ConnectionID: in.ConnectionID, Credentials: in.Credentials}
				if in.TLSConfig != nil {
					wi.TLSConfig = &wireRestTLSConfig{InsecureSkipVerification: in.TLSConfig.InsecureSkipVerification}
				}
				for code, ir := range in.IntegrationResponses {
					if wi.IntegrationResponses == nil {
						wi.IntegrationResponses = map[string]*wireRestIntegrationResponse{}
					}
					wi.IntegrationResponses[code] = &wireRestIntegrationResponse{StatusCode: code, SelectionPattern: ir.SelectionPattern,
						ResponseParameters: ir.ResponseParameters, ResponseTemplates: ir.ResponseTemplates, ContentHandling: ir.ContentHandling}
				}
				wm.MethodIntegration = wi
			}
			wr.ResourceMethods[name] = wm
		}
		out = append(out, wr)
	}
	return out
}

// fileRestRecord shows a file-managed REST API as a record, for the read
// operations.
func fileRestRecord(a *config.RestAPI) *restRecord {
	rec := &restRecord{API: wireRestAPI{ID: a.RestAPIID, Name: a.Name, Description: a.Description,
		BinaryMediaTypes: a.BinaryMediaTypes, APIKeySource: cmp.Or(a.APIKeySource, "HEADER"),
		EndpointConfiguration: &wireEndpointConfiguration{Types: []string{"REGIONAL"}}}}
	rec.Resources = resourcesFromConfig(a.Resources)
	for _, au := range a.Authorizers {
		rec.Authorizers = append(rec.Authorizers, &wireRestAuthorizer{ID: au.ID, Name: au.Name, Type: au.Type,
			ProviderARNs: au.ProviderARNs, AuthType: au.AuthType, AuthorizerURI: au.AuthorizerURI,
			AuthorizerCredentials: au.AuthorizerCredentials, IdentitySource: au.IdentitySource.String(),
			IdentityValidationExpression: au.IdentityValidationExpression, AuthorizerResultTTLInSeconds: au.AuthorizerResultTTLInSeconds})
	}
	for _, m := range a.Models {
		rec.Models = append(rec.Models, &wireRestModel{ID: cmp.Or(m.ID, m.Name), Name: m.Name, Description: m.Description,
			Schema: m.Schema, ContentType: m.ContentType})
	}
	for _, v := range a.RequestValidators {
		rec.RequestValidators = append(rec.RequestValidators, &wireRequestValidator{ID: v.ID, Name: v.Name,
			ValidateRequestBody: v.ValidateRequestBody, ValidateRequestParameters: v.ValidateRequestParameters})
	}
	for _, g := range a.GatewayResponses {
		rec.GatewayResponses = append(rec.GatewayResponses, &wireGatewayResponse{ResponseType: g.ResponseType, StatusCode: g.StatusCode,
			ResponseParameters: g.ResponseParameters, ResponseTemplates: g.ResponseTemplates})
	}
	for _, r := range rec.Resources {
		if r.Path == "/" {
			rec.API.RootResourceID = r.ID
		}
	}
	for _, st := range a.Stages {
		s := &wireRestStage{StageName: st.StageName, DeploymentID: st.DeploymentID, Description: st.Description, Variables: st.Variables}
		if l := st.AccessLogSettings; l != nil {
			s.AccessLogSettings = &wireAccessLogSettings{Format: l.Format, DestinationARN: l.DestinationARN}
		}
		rec.Stages = append(rec.Stages, s)
	}
	return rec
}
