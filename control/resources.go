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

// timestamp is a time written as ISO 8601 in UTC with seconds, as the
// apigatewayv2 model's timestampFormat iso8601 asks.
type timestamp time.Time

// MarshalJSON writes t as "2006-01-02T15:04:05Z".
func (t timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(time.RFC3339) + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 time.
func (t *timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", s, err)
	}
	*t = timestamp(v)
	return nil
}

// wireAPI is the model's Api.
type wireAPI struct {
	APIEndpoint               string            `json:"apiEndpoint,omitempty"`
	APIGatewayManaged         bool              `json:"apiGatewayManaged,omitempty"`
	APIID                     string            `json:"apiId"`
	APIKeySelectionExpression string            `json:"apiKeySelectionExpression,omitempty"`
	CorsConfiguration         *wireCors         `json:"corsConfiguration,omitempty"`
	CreatedDate               *timestamp        `json:"createdDate,omitempty"`
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
	wireAPI
	CredentialsARN string `json:"credentialsArn"`
	RouteKey       string `json:"routeKey"`
	Target         string `json:"target"`
}

// wireCors is the model's Cors.
type wireCors struct {
	AllowCredentials bool     `json:"allowCredentials,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowOrigins     []string `json:"allowOrigins,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           *int     `json:"maxAge,omitempty"`
}

// wireRoute is the model's Route.
type wireRoute struct {
	APIGatewayManaged                bool                               `json:"apiGatewayManaged,omitempty"`
	APIKeyRequired                   bool                               `json:"apiKeyRequired"`
	AuthorizationScopes              []string                           `json:"authorizationScopes,omitempty"`
	AuthorizationType                string                             `json:"authorizationType,omitempty"`
	AuthorizerID                     string                             `json:"authorizerId,omitempty"`
	ModelSelectionExpression         string                             `json:"modelSelectionExpression,omitempty"`
	OperationName                    string                             `json:"operationName,omitempty"`
	RequestModels                    map[string]string                  `json:"requestModels,omitempty"`
	RequestParameters                map[string]wireParameterConstraint `json:"requestParameters,omitempty"`
	RouteID                          string                             `json:"routeId"`
	RouteKey                         string                             `json:"routeKey"`
	RouteResponseSelectionExpression string                             `json:"routeResponseSelectionExpression,omitempty"`
	Target                           string                             `json:"target,omitempty"`
}

// wireParameterConstraint is the model's ParameterConstraints.
type wireParameterConstraint struct {
	Required bool `json:"required"`
}

// wireRouteResponse is the model's RouteResponse.
type wireRouteResponse struct {
	ModelSelectionExpression string                             `json:"modelSelectionExpression,omitempty"`
	ResponseModels           map[string]string                  `json:"responseModels,omitempty"`
	ResponseParameters       map[string]wireParameterConstraint `json:"responseParameters,omitempty"`
	RouteResponseID          string                             `json:"routeResponseId"`
	RouteResponseKey         string                             `json:"routeResponseKey"`
}

// wireIntegration is the model's Integration.
type wireIntegration struct {
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
	TLSConfig                              *wireTLSConfig               `json:"tlsConfig,omitempty"`
}

// wireTLSConfig is the model's TlsConfig.
type wireTLSConfig struct {
	ServerNameToVerify string `json:"serverNameToVerify,omitempty"`
}

// wireIntegrationResponse is the model's IntegrationResponse.
type wireIntegrationResponse struct {
	ContentHandlingStrategy     string            `json:"contentHandlingStrategy,omitempty"`
	IntegrationResponseID       string            `json:"integrationResponseId"`
	IntegrationResponseKey      string            `json:"integrationResponseKey"`
	ResponseParameters          map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates           map[string]string `json:"responseTemplates,omitempty"`
	TemplateSelectionExpression string            `json:"templateSelectionExpression,omitempty"`
}

// wireAuthorizer is the model's Authorizer.
type wireAuthorizer struct {
	AuthorizerCredentialsARN       string                `json:"authorizerCredentialsArn,omitempty"`
	AuthorizerID                   string                `json:"authorizerId"`
	AuthorizerPayloadFormatVersion string                `json:"authorizerPayloadFormatVersion,omitempty"`
	AuthorizerResultTTLInSeconds   *int                  `json:"authorizerResultTtlInSeconds,omitempty"`
	AuthorizerType                 string                `json:"authorizerType"`
	AuthorizerURI                  string                `json:"authorizerUri,omitempty"`
	EnableSimpleResponses          bool                  `json:"enableSimpleResponses,omitempty"`
	IdentitySource                 []string              `json:"identitySource,omitempty"`
	IdentityValidationExpression   string                `json:"identityValidationExpression,omitempty"`
	JWTConfiguration               *wireJWTConfiguration `json:"jwtConfiguration,omitempty"`
	Name                           string                `json:"name"`
}

// wireJWTConfiguration is the model's JWTConfiguration.
type wireJWTConfiguration struct {
	Audience []string `json:"audience,omitempty"`
	Issuer   string   `json:"issuer,omitempty"`
}

// wireStage is the model's Stage.
type wireStage struct {
	AccessLogSettings           *wireAccessLogSettings       `json:"accessLogSettings,omitempty"`
	APIGatewayManaged           bool                         `json:"apiGatewayManaged,omitempty"`
	AutoDeploy                  bool                         `json:"autoDeploy"`
	ClientCertificateID         string                       `json:"clientCertificateId,omitempty"`
	CreatedDate                 *timestamp                   `json:"createdDate,omitempty"`
	DefaultRouteSettings        *wireRouteSettings           `json:"defaultRouteSettings,omitempty"`
	DeploymentID                string                       `json:"deploymentId,omitempty"`
	Description                 string                       `json:"description,omitempty"`
	LastDeploymentStatusMessage string                       `json:"lastDeploymentStatusMessage,omitempty"`
	LastUpdatedDate             *timestamp                   `json:"lastUpdatedDate,omitempty"`
	RouteSettings               map[string]wireRouteSettings `json:"routeSettings,omitempty"`
	StageName                   string                       `json:"stageName"`
	StageVariables              map[string]string            `json:"stageVariables,omitempty"`
	Tags                        map[string]string            `json:"tags,omitempty"`
}

// wireAccessLogSettings is the model's AccessLogSettings.
type wireAccessLogSettings struct {
	DestinationARN string `json:"destinationArn,omitempty"`
	Format         string `json:"format,omitempty"`
}

// wireRouteSettings is the model's RouteSettings.
type wireRouteSettings struct {
	DataTraceEnabled       bool     `json:"dataTraceEnabled,omitempty"`
	DetailedMetricsEnabled bool     `json:"detailedMetricsEnabled,omitempty"`
	LoggingLevel           string   `json:"loggingLevel,omitempty"`
	ThrottlingBurstLimit   *int     `json:"throttlingBurstLimit,omitempty"`
	ThrottlingRateLimit    *float64 `json:"throttlingRateLimit,omitempty"`
}

// wireDeployment is the model's Deployment.
type wireDeployment struct {
	AutoDeployed            bool       `json:"autoDeployed"`
	CreatedDate             *timestamp `json:"createdDate,omitempty"`
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
	API          wireAPI              `json:"api"`
	Routes       []*routeRecord       `json:"routes,omitempty"`
	Integrations []*integrationRecord `json:"integrations,omitempty"`
	Authorizers  []*wireAuthorizer    `json:"authorizers,omitempty"`
	Stages       []*wireStage         `json:"stages,omitempty"`
	Deployments  []*deploymentRecord  `json:"deployments,omitempty"`
}

type routeRecord struct {
	wireRoute
	Responses []*wireRouteResponse `json:"routeResponses,omitempty"`
}

type integrationRecord struct {
	wireIntegration
	Responses []*wireIntegrationResponse `json:"integrationResponses,omitempty"`
}

// deploymentRecord is a deployment and what it froze: the API's routes,
// integrations and authorizers when it was made. A snapshot never changes.
type deploymentRecord struct {
	wireDeployment
	Snapshot snapshot `json:"snapshot"`
}

type snapshot struct {
	Routes       []*routeRecord       `json:"routes,omitempty"`
	Integrations []*integrationRecord `json:"integrations,omitempty"`
	Authorizers  []*wireAuthorizer    `json:"authorizers,omitempty"`
}

// page is a list answer: {"items":[…],"nextToken":"…"}.
type page[T any] struct {
	Items     []T    `json:"items"`
	NextToken string `json:"nextToken,omitempty"`
}
