package control

import (
	"encoding/json"
	"fmt"
	"time"
)

// The apigatewayv2 resources, as the REST-JSON wire carries them (the
// botocore model's locationNames) and as the Store keeps them. A record
// adds what a resource owns and the wire shows elsewhere: an API record
// holds its routes, integrations, authorizers, stages and deployments;
// a route its route responses; an integration its integration responses;
// a deployment the snapshot it serves.

// Timestamp is a time written as ISO 8601 in UTC with seconds, as the
// apigatewayv2 model's timestampFormat iso8601 asks.
type Timestamp time.Time

// MarshalJSON writes t as "2006-01-02T15:04:05Z".
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(time.RFC3339) + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 time.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", s, err)
	}
	*t = Timestamp(v)
	return nil
}

// API is the model's Api.
type API struct {
	APIEndpoint               string            `json:"apiEndpoint,omitempty"`
	APIGatewayManaged         bool              `json:"apiGatewayManaged,omitempty"`
	APIID                     string            `json:"apiId"`
	APIKeySelectionExpression string            `json:"apiKeySelectionExpression,omitempty"`
	CorsConfiguration         *Cors             `json:"corsConfiguration,omitempty"`
	CreatedDate               *Timestamp        `json:"createdDate,omitempty"`
	Description               string            `json:"description,omitempty"`
	DisableExecuteAPIEndpoint bool              `json:"disableExecuteApiEndpoint,omitempty"`
	DisableSchemaValidation   bool              `json:"disableSchemaValidation,omitempty"`
	IPAddressType             string            `json:"ipAddressType,omitempty"`
	Name                      string            `json:"name"`
	ProtocolType              string            `json:"protocolType"`
	RouteSelectionExpression  string            `json:"routeSelectionExpression"`
	Tags                      map[string]string `json:"tags,omitempty"`
	Version                   string            `json:"version,omitempty"`
}

// createAPIInput is CreateApiRequest: an Api plus the quick-create fields.
type createAPIInput struct {
	API
	CredentialsARN string `json:"credentialsArn"`
	RouteKey       string `json:"routeKey"`
	Target         string `json:"target"`
}

// Cors is the model's Cors.
type Cors struct {
	AllowCredentials bool     `json:"allowCredentials,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowOrigins     []string `json:"allowOrigins,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           *int     `json:"maxAge,omitempty"`
}

// Route is the model's Route.
type Route struct {
	APIGatewayManaged                bool                           `json:"apiGatewayManaged,omitempty"`
	APIKeyRequired                   bool                           `json:"apiKeyRequired"`
	AuthorizationScopes              []string                       `json:"authorizationScopes,omitempty"`
	AuthorizationType                string                         `json:"authorizationType,omitempty"`
	AuthorizerID                     string                         `json:"authorizerId,omitempty"`
	ModelSelectionExpression         string                         `json:"modelSelectionExpression,omitempty"`
	OperationName                    string                         `json:"operationName,omitempty"`
	RequestModels                    map[string]string              `json:"requestModels,omitempty"`
	RequestParameters                map[string]ParameterConstraint `json:"requestParameters,omitempty"`
	RouteID                          string                         `json:"routeId"`
	RouteKey                         string                         `json:"routeKey"`
	RouteResponseSelectionExpression string                         `json:"routeResponseSelectionExpression,omitempty"`
	Target                           string                         `json:"target,omitempty"`
}

// ParameterConstraint is the model's ParameterConstraints.
type ParameterConstraint struct {
	Required bool `json:"required"`
}

// RouteResponse is the model's RouteResponse.
type RouteResponse struct {
	ModelSelectionExpression string                         `json:"modelSelectionExpression,omitempty"`
	ResponseModels           map[string]string              `json:"responseModels,omitempty"`
	ResponseParameters       map[string]ParameterConstraint `json:"responseParameters,omitempty"`
	RouteResponseID          string                         `json:"routeResponseId"`
	RouteResponseKey         string                         `json:"routeResponseKey"`
}

// Integration is the model's Integration.
type Integration struct {
	APIGatewayManaged                      bool                         `json:"apiGatewayManaged,omitempty"`
	ConnectionID                           string                       `json:"connectionId,omitempty"`
	ConnectionType                         string                       `json:"connectionType,omitempty"`
	ContentHandlingStrategy                string                       `json:"contentHandlingStrategy,omitempty"`
	CredentialsARN                         string                       `json:"credentialsArn,omitempty"`
	Description                            string                       `json:"description,omitempty"`
	IntegrationID                          string                       `json:"integrationId"`
	IntegrationMethod                      string                       `json:"integrationMethod,omitempty"`
	IntegrationResponseSelectionExpression string                       `json:"integrationResponseSelectionExpression,omitempty"`
	IntegrationSubtype                     string                       `json:"integrationSubtype,omitempty"`
	IntegrationType                        string                       `json:"integrationType"`
	IntegrationURI                         string                       `json:"integrationUri,omitempty"`
	PassthroughBehavior                    string                       `json:"passthroughBehavior,omitempty"`
	PayloadFormatVersion                   string                       `json:"payloadFormatVersion,omitempty"`
	RequestParameters                      map[string]string            `json:"requestParameters,omitempty"`
	RequestTemplates                       map[string]string            `json:"requestTemplates,omitempty"`
	ResponseParameters                     map[string]map[string]string `json:"responseParameters,omitempty"`
	TemplateSelectionExpression            string                       `json:"templateSelectionExpression,omitempty"`
	TimeoutInMillis                        int                          `json:"timeoutInMillis,omitempty"`
	TLSConfig                              *TLSConfig                   `json:"tlsConfig,omitempty"`
}

// TLSConfig is the model's TlsConfig.
type TLSConfig struct {
	ServerNameToVerify string `json:"serverNameToVerify,omitempty"`
}

// IntegrationResponse is the model's IntegrationResponse.
type IntegrationResponse struct {
	ContentHandlingStrategy     string            `json:"contentHandlingStrategy,omitempty"`
	IntegrationResponseID       string            `json:"integrationResponseId"`
	IntegrationResponseKey      string            `json:"integrationResponseKey"`
	ResponseParameters          map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates           map[string]string `json:"responseTemplates,omitempty"`
	TemplateSelectionExpression string            `json:"templateSelectionExpression,omitempty"`
}

// Authorizer is the model's Authorizer.
type Authorizer struct {
	AuthorizerCredentialsARN       string            `json:"authorizerCredentialsArn,omitempty"`
	AuthorizerID                   string            `json:"authorizerId"`
	AuthorizerPayloadFormatVersion string            `json:"authorizerPayloadFormatVersion,omitempty"`
	AuthorizerResultTTLInSeconds   *int              `json:"authorizerResultTtlInSeconds,omitempty"`
	AuthorizerType                 string            `json:"authorizerType"`
	AuthorizerURI                  string            `json:"authorizerUri,omitempty"`
	EnableSimpleResponses          bool              `json:"enableSimpleResponses,omitempty"`
	IdentitySource                 []string          `json:"identitySource,omitempty"`
	IdentityValidationExpression   string            `json:"identityValidationExpression,omitempty"`
	JWTConfiguration               *JWTConfiguration `json:"jwtConfiguration,omitempty"`
	Name                           string            `json:"name"`
}

// JWTConfiguration is the model's JWTConfiguration.
type JWTConfiguration struct {
	Audience []string `json:"audience,omitempty"`
	Issuer   string   `json:"issuer,omitempty"`
}

// Stage is the model's Stage.
type Stage struct {
	AccessLogSettings           *AccessLogSettings       `json:"accessLogSettings,omitempty"`
	APIGatewayManaged           bool                     `json:"apiGatewayManaged,omitempty"`
	AutoDeploy                  bool                     `json:"autoDeploy"`
	ClientCertificateID         string                   `json:"clientCertificateId,omitempty"`
	CreatedDate                 *Timestamp               `json:"createdDate,omitempty"`
	DefaultRouteSettings        *RouteSettings           `json:"defaultRouteSettings,omitempty"`
	DeploymentID                string                   `json:"deploymentId,omitempty"`
	Description                 string                   `json:"description,omitempty"`
	LastDeploymentStatusMessage string                   `json:"lastDeploymentStatusMessage,omitempty"`
	LastUpdatedDate             *Timestamp               `json:"lastUpdatedDate,omitempty"`
	RouteSettings               map[string]RouteSettings `json:"routeSettings,omitempty"`
	StageName                   string                   `json:"stageName"`
	StageVariables              map[string]string        `json:"stageVariables,omitempty"`
	Tags                        map[string]string        `json:"tags,omitempty"`
}

// AccessLogSettings is the model's AccessLogSettings.
type AccessLogSettings struct {
	DestinationARN string `json:"destinationArn,omitempty"`
	Format         string `json:"format,omitempty"`
}

// RouteSettings is the model's RouteSettings.
type RouteSettings struct {
	DataTraceEnabled       bool     `json:"dataTraceEnabled,omitempty"`
	DetailedMetricsEnabled bool     `json:"detailedMetricsEnabled,omitempty"`
	LoggingLevel           string   `json:"loggingLevel,omitempty"`
	ThrottlingBurstLimit   *int     `json:"throttlingBurstLimit,omitempty"`
	ThrottlingRateLimit    *float64 `json:"throttlingRateLimit,omitempty"`
}

// Deployment is the model's Deployment.
type Deployment struct {
	AutoDeployed            bool       `json:"autoDeployed"`
	CreatedDate             *Timestamp `json:"createdDate,omitempty"`
	DeploymentID            string     `json:"deploymentId"`
	DeploymentStatus        string     `json:"deploymentStatus"`
	DeploymentStatusMessage string     `json:"deploymentStatusMessage,omitempty"`
	Description             string     `json:"description,omitempty"`
}

// apiRecord is one control-plane API in the Store (key v2.apis.{apiId}):
// the API as its routes, integrations and authorizers are now, its stages,
// and its deployments, each with the snapshot a stage that names it
// serves.
type apiRecord struct {
	API          API                  `json:"api"`
	Routes       []*routeRecord       `json:"routes,omitempty"`
	Integrations []*integrationRecord `json:"integrations,omitempty"`
	Authorizers  []*Authorizer        `json:"authorizers,omitempty"`
	Stages       []*Stage             `json:"stages,omitempty"`
	Deployments  []*deploymentRecord  `json:"deployments,omitempty"`
}

type routeRecord struct {
	Route
	Responses []*RouteResponse `json:"routeResponses,omitempty"`
}

type integrationRecord struct {
	Integration
	Responses []*IntegrationResponse `json:"integrationResponses,omitempty"`
}

// deploymentRecord is a deployment and what it froze: the API's routes,
// integrations and authorizers when it was made. A snapshot never changes.
type deploymentRecord struct {
	Deployment
	Snapshot snapshot `json:"snapshot"`
}

type snapshot struct {
	Routes       []*routeRecord       `json:"routes,omitempty"`
	Integrations []*integrationRecord `json:"integrations,omitempty"`
	Authorizers  []*Authorizer        `json:"authorizers,omitempty"`
}

// page is a list answer: {"items":[…],"nextToken":"…"}.
type page[T any] struct {
	Items     []T    `json:"items"`
	NextToken string `json:"nextToken,omitempty"`
}
