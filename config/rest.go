package config

import "strings"

// REST APIs (apigateway v1): the schema. Field names are apigateway's wire
// names (lower camelCase, as `aws apigateway get-*` prints them). Load
// normalises what may be written several ways (resources as a list, a
// mapping keyed by path or a tree; gateway responses as a list or a
// mapping keyed by type; identitySource as a list or one comma-separated
// string), so that consumers see one shape. The checks are in
// validate_rest.go.

// RestAPI is an apigateway RestApi with its child resources; package rest
// serves it.
type RestAPI struct {
	// RestAPIID is the API's identity; the wire's `id` is the same field
	// (writing both is an error). When absent, Load derives it from Name
	// as it does for apis (see StableAPIID); both kinds of API share one
	// namespace of IDs.
	RestAPIID   string `yaml:"restApiId"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// OpenAPI names an OpenAPI 3 or Swagger 2 document (a path relative
	// to the config file) that gives the API's resources, authorizers,
	// models and request validators (Portico extension; see
	// OpenAPIImporter). The entry's other keys complete or override it.
	OpenAPI string `yaml:"openapi"`
	// BinaryMediaTypes are the content types passed as binary
	// ("image/png", "*/*"). A "/" may be written "~1", as AWS's patch
	// paths and SAM write it; Load turns it back into "/".
	BinaryMediaTypes []string `yaml:"binaryMediaTypes"`
	// APIKeySource is where a method that requires an API key finds it:
	// HEADER (x-api-key, the default when empty) or AUTHORIZER (the
	// authorizer's usageIdentifierKey).
	APIKeySource string `yaml:"apiKeySource"`
	// Resources are the API's resources. After Load they are one flat
	// list sorted by Path, holding the root ("/") and every ancestor a
	// written path implies, each with its ID and ParentID.
	Resources []RestResource `yaml:"resources"`
	// Authorizers are the API's Lambda (TOKEN, REQUEST) and Cognito
	// authorizers.
	Authorizers []RestAuthorizer `yaml:"authorizers"`
	// GatewayResponses override the gateway's own error responses, one per
	// response type; in the file, a list or a mapping keyed by type.
	GatewayResponses []GatewayResponse `yaml:"gatewayResponses"`
	// Stages serve the API as loaded (one implicit deployment per load).
	Stages []RestStage `yaml:"stages"`
	// Models are the API's JSON Schema models, named in requestModels
	// and responseModels.
	Models []RestModel `yaml:"models"`
	// RequestValidators are named by methods' requestValidatorId.
	RequestValidators []RequestValidator `yaml:"requestValidators"`
}

// RestResource is an apigateway Resource: one path of the API and its
// methods. In the file it may also be written as a mapping entry keyed by
// its path, or as a tree (PathPart and child Resources).
type RestResource struct {
	// ID identifies the resource. When absent, Load derives it from
	// Path: 10 lowercase alphanumerics, the same on every load.
	ID string `yaml:"id"`
	// ParentID is the parent resource's ID; empty for the root. Load
	// fills it in; written, it must name the parent of Path.
	ParentID string `yaml:"parentId"`
	// PathPart is the last segment of Path ("pets", "{petId}",
	// "{proxy+}"); empty for the root.
	PathPart string `yaml:"pathPart"`
	// Path is the full path: "/" for the root, "/pets/{petId}". In the
	// file, a path without a leading "/" is relative to the enclosing
	// resource of a tree (or to the root).
	Path string `yaml:"path"`
	// ResourceMethods are the resource's methods keyed by HTTP method
	// (GET, POST, ..., ANY), upper-case.
	ResourceMethods map[string]RestMethod `yaml:"resourceMethods"`
	// Resources are child resources, when the file writes a tree. Load
	// moves them into RestAPI.Resources and leaves this nil.
	Resources []RestResource `yaml:"resources"`
}

// RestMethod is an apigateway Method.
type RestMethod struct {
	// HTTPMethod repeats the method's key in resourceMethods; it may be
	// left out.
	HTTPMethod string `yaml:"httpMethod"`
	// AuthorizationType is NONE (the default when empty), AWS_IAM, CUSTOM
	// (a TOKEN or REQUEST authorizer) or COGNITO_USER_POOLS.
	AuthorizationType   string   `yaml:"authorizationType"`
	AuthorizerID        string   `yaml:"authorizerId"`
	APIKeyRequired      bool     `yaml:"apiKeyRequired"`
	AuthorizationScopes []string `yaml:"authorizationScopes"`
	// RequestParameters declare the method's parameters and whether each
	// is required: method.request.{header,querystring,path,
	// multivalueheader,multivaluequerystring}.NAME → required.
	RequestParameters map[string]bool `yaml:"requestParameters"`
	// RequestModels map content types to model names.
	RequestModels      map[string]string `yaml:"requestModels"`
	RequestValidatorID string            `yaml:"requestValidatorId"`
	OperationName      string            `yaml:"operationName"`
	// MethodIntegration is what the method calls. Nil: the method has no
	// integration yet (AWS answers 500 for it).
	MethodIntegration *RestIntegration `yaml:"methodIntegration"`
	// MethodResponses are keyed by status code ("200").
	MethodResponses map[string]MethodResponse `yaml:"methodResponses"`
}

// RestIntegration is an apigateway Integration.
type RestIntegration struct {
	// Type is AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK, or NATS (Portico
	// extension, as in the other modes).
	Type string `yaml:"type"`
	// URI is the backend: for AWS_PROXY a Lambda function ARN, API
	// Gateway's arn:aws:apigateway:REGION:lambda:path/.../invocations
	// form or an http(s) URL (Portico extension); for HTTP and HTTP_PROXY
	// an http(s) URL; for NATS nats:SUBJECT.
	URI string `yaml:"uri"`
	// HTTPMethod is the method the backend is called with.
	HTTPMethod string `yaml:"httpMethod"`
	// RequestParameters map integration.request.{header,querystring,
	// path}.NAME ← method.request.*, context.X, stageVariables.X or
	// 'static'.
	RequestParameters map[string]string `yaml:"requestParameters"`
	// RequestTemplates are mapping templates keyed by content type.
	RequestTemplates map[string]string `yaml:"requestTemplates"`
	// PassthroughBehavior is WHEN_NO_MATCH (the default), WHEN_NO_TEMPLATES
	// or NEVER.
	PassthroughBehavior string `yaml:"passthroughBehavior"`
	// ContentHandling is CONVERT_TO_BINARY, CONVERT_TO_TEXT or empty
	// (pass through).
	ContentHandling string `yaml:"contentHandling"`
	// TimeoutInMillis is 50 to 29000; zero means 29000.
	TimeoutInMillis    int      `yaml:"timeoutInMillis"`
	CacheKeyParameters []string `yaml:"cacheKeyParameters"`
	CacheNamespace     string   `yaml:"cacheNamespace"`
	ConnectionType     string   `yaml:"connectionType"`
	ConnectionID       string   `yaml:"connectionId"`
	Credentials        string   `yaml:"credentials"`
	// TLSConfig is accepted and not acted on.
	TLSConfig *RestTLSConfig `yaml:"tlsConfig"`
	// IntegrationResponses are keyed by status code ("200").
	IntegrationResponses map[string]RestIntegrationResponse `yaml:"integrationResponses"`
}

// RestTLSConfig is an apigateway TlsConfig.
type RestTLSConfig struct {
	InsecureSkipVerification bool `yaml:"insecureSkipVerification"`
}

// RestIntegrationResponse is an apigateway IntegrationResponse.
type RestIntegrationResponse struct {
	// StatusCode repeats the key in integrationResponses; it may be left
	// out.
	StatusCode string `yaml:"statusCode"`
	// SelectionPattern is a regular expression matched against a Lambda
	// error message or an HTTP backend's status code. Empty: the default
	// response.
	SelectionPattern   string            `yaml:"selectionPattern"`
	ResponseParameters map[string]string `yaml:"responseParameters"`
	ResponseTemplates  map[string]string `yaml:"responseTemplates"`
	ContentHandling    string            `yaml:"contentHandling"`
}

// MethodResponse is an apigateway MethodResponse.
type MethodResponse struct {
	// StatusCode repeats the key in methodResponses; it may be left out.
	StatusCode string `yaml:"statusCode"`
	// ResponseParameters declare the headers the method may send:
	// method.response.header.NAME → required.
	ResponseParameters map[string]bool `yaml:"responseParameters"`
	// ResponseModels map content types to model names.
	ResponseModels map[string]string `yaml:"responseModels"`
}

// RestAuthorizer is an apigateway Authorizer.
type RestAuthorizer struct {
	// ID is what methods' authorizerId names. When absent it is Name.
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Type is TOKEN, REQUEST or COGNITO_USER_POOLS.
	Type string `yaml:"type"`
	// AuthorizerURI is the Lambda function (TOKEN, REQUEST): an ARN, API
	// Gateway's invocations ARN, or an http(s) URL (Portico extension).
	AuthorizerURI string `yaml:"authorizerUri"`
	// IdentitySource is where the identity is read:
	// method.request.header.NAME (TOKEN: exactly one header), and for
	// REQUEST also method.request.querystring.NAME, stageVariables.NAME
	// and context.NAME. AWS writes one comma-separated string; a list is
	// accepted too.
	IdentitySource StringList `yaml:"identitySource"`
	// IdentityValidationExpression is a regular expression a TOKEN
	// authorizer's token must match before the function is called.
	IdentityValidationExpression string `yaml:"identityValidationExpression"`
	// AuthorizerResultTTLInSeconds caches results, 0 to 3600; nil means
	// 300.
	AuthorizerResultTTLInSeconds *int `yaml:"authorizerResultTtlInSeconds"`
	// ProviderARNs are the Cognito user pools of a COGNITO_USER_POOLS
	// authorizer: arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID.
	ProviderARNs          []string `yaml:"providerARNs"`
	AuthorizerCredentials string   `yaml:"authorizerCredentials"`
	AuthType              string   `yaml:"authType"`
	// JWTIssuer overrides the issuer URL of a COGNITO_USER_POOLS
	// authorizer's tokens (Portico extension: there is no Cognito here).
	// Empty means the issuer each user pool ARN implies.
	JWTIssuer string `yaml:"jwtIssuer"`
}

// Issuers returns the token issuers a COGNITO_USER_POOLS authorizer
// accepts: JWTIssuer when set, or for each provider ARN
// arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID the issuer
// https://cognito-idp.REGION.amazonaws.com/POOL_ID. It returns nil for
// other types and for ARNs of another form.
func (a *RestAuthorizer) Issuers() []string {
	if a.Type != "COGNITO_USER_POOLS" {
		return nil
	}
	if a.JWTIssuer != "" {
		return []string{a.JWTIssuer}
	}
	var out []string
	for _, arn := range a.ProviderARNs {
		if region, pool, ok := parseUserPoolARN(arn); ok {
			out = append(out, "https://cognito-idp."+region+".amazonaws.com/"+pool)
		}
	}
	return out
}

// parseUserPoolARN splits a Cognito user pool ARN into its region and pool ID.
func parseUserPoolARN(arn string) (region, pool string, ok bool) {
	m := userPoolARNRE.FindStringSubmatch(arn)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// StringList is a list of strings written as a YAML list or as one
// comma-separated string ("a, b"), as apigateway writes identitySource.
type StringList []string

// String joins l as apigateway writes it: ", "-separated.
func (l StringList) String() string { return strings.Join(l, ", ") }

// GatewayResponse is an apigateway GatewayResponse: a REST API's override
// of one of the gateway's own responses.
type GatewayResponse struct {
	// ResponseType is one of the 21 types (DEFAULT_4XX, DEFAULT_5XX,
	// MISSING_AUTHENTICATION_TOKEN, ...; see GatewayResponseTypes).
	ResponseType string `yaml:"responseType"`
	// StatusCode replaces the type's status ("418"). Empty keeps it.
	StatusCode string `yaml:"statusCode"`
	// ResponseParameters set headers: gatewayresponse.header.NAME ←
	// 'static', method.request.{header,querystring,path}.NAME or
	// stageVariables.NAME.
	ResponseParameters map[string]string `yaml:"responseParameters"`
	// ResponseTemplates are body templates keyed by content type.
	ResponseTemplates map[string]string `yaml:"responseTemplates"`
}

// GatewayResponseTypes are apigateway's gateway response types.
var GatewayResponseTypes = []string{
	"ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR",
	"AUTHORIZER_FAILURE", "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "DEFAULT_4XX",
	"DEFAULT_5XX", "EXPIRED_TOKEN", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT",
	"INVALID_API_KEY", "INVALID_SIGNATURE", "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED",
	"REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND", "THROTTLED", "UNAUTHORIZED",
	"UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED",
}

// RestStage is an apigateway Stage.
type RestStage struct {
	StageName string `yaml:"stageName"`
	// DeploymentID is accepted and not acted on: a stage serves the API
	// as loaded.
	DeploymentID string `yaml:"deploymentId"`
	Description  string `yaml:"description"`
	// Variables are the stage variables: names of letters, digits and _
	// (at most 64), values of at most 512 characters.
	Variables map[string]string `yaml:"variables"`
	// MethodSettings are keyed "*/*" (every method) or
	// "RESOURCE_PATH/METHOD" ("/pets/{petId}/GET"; the "~1" escaping of
	// "/" that AWS prints, "~1pets~1{petId}/GET", is accepted too).
	MethodSettings map[string]MethodSetting `yaml:"methodSettings"`
	// AccessLogSettings turn on access logging, as for apis' stages.
	AccessLogSettings *AccessLogSettings `yaml:"accessLogSettings"`
	// Deployment, when set, is what the stage serves in place of the API's
	// own resources: the snapshot of a deployment (apigateway
	// CreateDeployment). The control plane sets it; a file cannot (see
	// RestAPI.StageAPIs).
	Deployment *RestDeployment `yaml:"-" json:"-"`
}

// RestDeployment is an immutable snapshot of a REST API's resources,
// authorizers, gateway responses, models and request validators, as a
// stage serves it. Its resources are flat and normalised, as Load leaves
// a RestAPI's: sorted by Path, the root first, each with its ID, ParentID
// and PathPart, and each method's HTTPMethod filled in.
type RestDeployment struct {
	DeploymentID      string
	Resources         []RestResource
	Authorizers       []RestAuthorizer
	GatewayResponses  []GatewayResponse
	Models            []RestModel
	RequestValidators []RequestValidator
}

// StageAPIs returns the REST API as its stages serve it, as API.StageAPIs
// does for apis: a itself when no stage has a Deployment; otherwise one
// copy of a per stage, in stage order, with that stage alone and, when
// the stage has a Deployment, the deployment's resources, authorizers,
// gateway responses, models and request validators in place of a's.
// The results share a's slices and maps; do not change them.
func (a *RestAPI) StageAPIs() []RestAPI {
	split := false
	for _, st := range a.Stages {
		if st.Deployment != nil {
			split = true
		}
	}
	if !split {
		return []RestAPI{*a}
	}
	out := make([]RestAPI, 0, len(a.Stages))
	for _, st := range a.Stages {
		sa := *a
		if d := st.Deployment; d != nil {
			sa.Resources, sa.Authorizers, sa.GatewayResponses = d.Resources, d.Authorizers, d.GatewayResponses
			sa.Models, sa.RequestValidators = d.Models, d.RequestValidators
		}
		st.Deployment = nil
		sa.Stages = []RestStage{st}
		out = append(out, sa)
	}
	return out
}

// MethodSetting is an apigateway MethodSetting. Only throttling is
// meant to be acted on; the other fields load with a warning.
type MethodSetting struct {
	// ThrottlingRateLimit is requests per second; nil means unlimited.
	ThrottlingRateLimit *float64 `yaml:"throttlingRateLimit"`
	// ThrottlingBurstLimit is the token bucket's size; nil means unlimited.
	ThrottlingBurstLimit *int   `yaml:"throttlingBurstLimit"`
	MetricsEnabled       bool   `yaml:"metricsEnabled"`
	LoggingLevel         string `yaml:"loggingLevel"`
	DataTraceEnabled     bool   `yaml:"dataTraceEnabled"`
	CachingEnabled       bool   `yaml:"cachingEnabled"`
}

// RestModel is an apigateway Model.
type RestModel struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Schema is a JSON Schema (draft 4) document, as a JSON string.
	Schema      string `yaml:"schema"`
	ContentType string `yaml:"contentType"`
}

// RequestValidator is an apigateway RequestValidator.
type RequestValidator struct {
	// ID is what methods' requestValidatorId names. When absent it is Name.
	ID                        string `yaml:"id"`
	Name                      string `yaml:"name"`
	ValidateRequestBody       bool   `yaml:"validateRequestBody"`
	ValidateRequestParameters bool   `yaml:"validateRequestParameters"`
}

// APIKey is an apigateway ApiKey.
type APIKey struct {
	// ID is what usagePlanKeys name. When absent it is Name.
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Value is the key clients send: 20 to 128 characters, unique.
	Value string `yaml:"value"`
	// Enabled: nil means true.
	Enabled     *bool  `yaml:"enabled"`
	Description string `yaml:"description"`
	// StageKeys ("restApiId/stageName") are AWS's legacy binding of keys
	// to stages; accepted and not acted on (usage plans bind keys).
	StageKeys []string `yaml:"stageKeys"`
}

// IsEnabled reports whether k is enabled (Enabled nil or true).
func (k *APIKey) IsEnabled() bool { return k.Enabled == nil || *k.Enabled }

// UsagePlan is an apigateway UsagePlan.
type UsagePlan struct {
	// ID is what usagePlanKeys name. When absent it is Name.
	ID          string           `yaml:"id"`
	Name        string           `yaml:"name"`
	Description string           `yaml:"description"`
	APIStages   []UsagePlanStage `yaml:"apiStages"`
	// Throttle is per key, across the plan's stages. Nil: none.
	Throttle *ThrottleSettings `yaml:"throttle"`
	// Quota is per key, across the plan's stages. Nil: none.
	Quota *QuotaSettings `yaml:"quota"`
}

// UsagePlanStage is an apigateway ApiStage: a REST or WebSocket API's
// stage in a plan.
type UsagePlanStage struct {
	// APIID is the REST API's restApiId or the WebSocket API's apiId, or
	// the API's name when it has none (REST APIs are looked up first).
	APIID string `yaml:"apiId"`
	Stage string `yaml:"stage"`
	// Throttle overrides the plan's throttle per method, keyed
	// "/RESOURCE_PATH/METHOD" ("/pets/GET"); REST APIs only.
	Throttle map[string]ThrottleSettings `yaml:"throttle"`
}

// ThrottleSettings is an apigateway ThrottleSettings.
type ThrottleSettings struct {
	// RateLimit is requests per second.
	RateLimit float64 `yaml:"rateLimit"`
	// BurstLimit is the token bucket's size.
	BurstLimit int `yaml:"burstLimit"`
}

// QuotaSettings is an apigateway QuotaSettings.
type QuotaSettings struct {
	// Limit is the requests allowed per Period.
	Limit int `yaml:"limit"`
	// Period is DAY, WEEK or MONTH.
	Period string `yaml:"period"`
	// Offset is the days (or, for DAY, nothing) the period's start is
	// moved by: 0 to 6 for WEEK, 0 to 27 for MONTH, 0 for DAY.
	Offset int `yaml:"offset"`
}

// UsagePlanKey puts an API key in a usage plan.
type UsagePlanKey struct {
	UsagePlanID string `yaml:"usagePlanId"`
	KeyID       string `yaml:"keyId"`
	// KeyType is API_KEY, the default when empty.
	KeyType string `yaml:"keyType"`
}
