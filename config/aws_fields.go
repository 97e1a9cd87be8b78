package config

import "reflect"

// This file lists the fields of the apigatewayv2 models (as the
// aws-sdk-go-v2 apigatewayv2 types and the REST-JSON wire name them) that
// Portico accepts and does not act on, so that a configuration written for
// AWS, or pasted from the CLI, loads. Each one that holds a value (not
// null, false, "" or empty) gives one warning, "accepted but not acted on
// by Portico"; its value is checked for type like any other and then
// dropped. Keys in no model stay errors. Names (an API's, an
// authorizer's) are labels AWS requires and give no warning.

// awsOnly is what one schema type accepts beyond its own fields.
type awsOnly struct {
	// extra is a struct of the model's fields the schema type lacks; its
	// yaml tags are the accepted keys. Values are decoded into a throwaway
	// copy and dropped.
	extra reflect.Type
	// inert names fields of the schema type itself that are kept in the
	// File but that Portico does not act on.
	inert []string
	// aliases are other keys for fields of the schema type (key → field
	// key): the wire's id for RestApi's restApiId. Writing both is an error.
	aliases map[string]string
}

// awsOnlyFields maps each schema type to the model fields it accepts
// without acting on them.
var awsOnlyFields = map[reflect.Type]awsOnly{
	reflect.TypeFor[File]():                {extra: reflect.TypeFor[fileAWSOnly]()},
	reflect.TypeFor[API]():                 {extra: reflect.TypeFor[apiAWSOnly](), inert: []string{"description"}},
	reflect.TypeFor[Integration]():         {extra: reflect.TypeFor[integrationAWSOnly](), inert: []string{"description"}},
	reflect.TypeFor[IntegrationResponse](): {extra: reflect.TypeFor[integrationResponseAWSOnly](), inert: []string{"responseParameters"}},
	reflect.TypeFor[Route]():               {extra: reflect.TypeFor[routeAWSOnly](), inert: []string{"operationName"}},
	reflect.TypeFor[RouteResponse]():       {extra: reflect.TypeFor[routeResponseAWSOnly]()},
	reflect.TypeFor[Stage]():               {extra: reflect.TypeFor[stageAWSOnly](), inert: []string{"description"}},
	reflect.TypeFor[RouteSettings]():       {extra: reflect.TypeFor[routeSettingsAWSOnly](), inert: []string{"detailedMetricsEnabled"}},
	reflect.TypeFor[AccessLogSettings]():   {inert: []string{"destinationArn"}},
	reflect.TypeFor[Authorizer]():          {extra: reflect.TypeFor[authorizerAWSOnly](), inert: []string{"authorizerCredentialsArn"}},

	// REST APIs (apigateway v1; the extra structs are in rest_aws_fields.go).
	reflect.TypeFor[RestAPI]():         {extra: reflect.TypeFor[restAPIAWSOnly](), inert: []string{"description"}, aliases: map[string]string{"id": "restApiId"}},
	reflect.TypeFor[RestMethod]():      {inert: []string{"operationName"}},
	reflect.TypeFor[RestIntegration](): {extra: reflect.TypeFor[restIntegrationAWSOnly](), inert: []string{"cacheKeyParameters", "cacheNamespace", "connectionType", "connectionId", "credentials", "tlsConfig"}},
	reflect.TypeFor[RestAuthorizer]():  {inert: []string{"authorizerCredentials", "authType"}},
	reflect.TypeFor[GatewayResponse](): {extra: reflect.TypeFor[gatewayResponseAWSOnly]()},
	reflect.TypeFor[RestStage]():       {extra: reflect.TypeFor[restStageAWSOnly](), inert: []string{"deploymentId", "description"}},
	reflect.TypeFor[MethodSetting]():   {extra: reflect.TypeFor[methodSettingAWSOnly](), inert: []string{"metricsEnabled", "loggingLevel", "dataTraceEnabled", "cachingEnabled"}},
	reflect.TypeFor[RestModel]():       {inert: []string{"description"}},
	reflect.TypeFor[APIKey]():          {extra: reflect.TypeFor[apiKeyAWSOnly](), inert: []string{"description", "stageKeys"}},
	reflect.TypeFor[UsagePlan]():       {extra: reflect.TypeFor[usagePlanAWSOnly](), inert: []string{"description"}},
	reflect.TypeFor[UsagePlanKey]():    {extra: reflect.TypeFor[usagePlanKeyAWSOnly](), aliases: map[string]string{"id": "keyId", "type": "keyType"}},
}

// fileAWSOnly holds the account-level resources of the model: custom
// domain names and their API mappings.
type fileAWSOnly struct {
	DomainNames []awsDomainName `yaml:"domainNames"`
	APIMappings []awsAPIMapping `yaml:"apiMappings"`
}

// apiAWSOnly is the rest of the model's Api, and the API's models and
// deployments.
type apiAWSOnly struct {
	APIEndpoint               string            `yaml:"apiEndpoint"`
	APIGatewayManaged         bool              `yaml:"apiGatewayManaged"`
	CreatedDate               string            `yaml:"createdDate"`
	DisableExecuteAPIEndpoint bool              `yaml:"disableExecuteApiEndpoint"`
	DisableSchemaValidation   bool              `yaml:"disableSchemaValidation"`
	ImportInfo                []string          `yaml:"importInfo"`
	IPAddressType             string            `yaml:"ipAddressType"`
	Tags                      map[string]string `yaml:"tags"`
	Version                   string            `yaml:"version"`
	Warnings                  []string          `yaml:"warnings"`
	Models                    []awsModel        `yaml:"models"`
	Deployments               []awsDeployment   `yaml:"deployments"`
}

type integrationAWSOnly struct {
	APIGatewayManaged                      bool         `yaml:"apiGatewayManaged"`
	ConnectionID                           string       `yaml:"connectionId"`
	ConnectionType                         string       `yaml:"connectionType"`
	ContentHandlingStrategy                string       `yaml:"contentHandlingStrategy"`
	CredentialsARN                         string       `yaml:"credentialsArn"`
	IntegrationResponseSelectionExpression string       `yaml:"integrationResponseSelectionExpression"`
	IntegrationSubtype                     string       `yaml:"integrationSubtype"`
	TLSConfig                              awsTLSConfig `yaml:"tlsConfig"`
}

type awsTLSConfig struct {
	ServerNameToVerify string `yaml:"serverNameToVerify"`
}

type integrationResponseAWSOnly struct {
	ContentHandlingStrategy string `yaml:"contentHandlingStrategy"`
	IntegrationResponseID   string `yaml:"integrationResponseId"`
}

type routeAWSOnly struct {
	APIGatewayManaged        bool                               `yaml:"apiGatewayManaged"`
	ModelSelectionExpression string                             `yaml:"modelSelectionExpression"`
	RequestModels            map[string]string                  `yaml:"requestModels"`
	RequestParameters        map[string]awsParameterConstraints `yaml:"requestParameters"`
	RouteID                  string                             `yaml:"routeId"`
}

type awsParameterConstraints struct {
	Required bool `yaml:"required"`
}

type routeResponseAWSOnly struct {
	ModelSelectionExpression string                             `yaml:"modelSelectionExpression"`
	ResponseModels           map[string]string                  `yaml:"responseModels"`
	ResponseParameters       map[string]awsParameterConstraints `yaml:"responseParameters"`
	RouteResponseID          string                             `yaml:"routeResponseId"`
}

type stageAWSOnly struct {
	APIGatewayManaged           bool              `yaml:"apiGatewayManaged"`
	ClientCertificateID         string            `yaml:"clientCertificateId"`
	CreatedDate                 string            `yaml:"createdDate"`
	DeploymentID                string            `yaml:"deploymentId"`
	LastDeploymentStatusMessage string            `yaml:"lastDeploymentStatusMessage"`
	LastUpdatedDate             string            `yaml:"lastUpdatedDate"`
	Tags                        map[string]string `yaml:"tags"`
}

type routeSettingsAWSOnly struct {
	DataTraceEnabled bool   `yaml:"dataTraceEnabled"`
	LoggingLevel     string `yaml:"loggingLevel"`
}

type authorizerAWSOnly struct {
	IdentityValidationExpression string `yaml:"identityValidationExpression"`
}

type awsModel struct {
	ContentType string `yaml:"contentType"`
	Description string `yaml:"description"`
	ModelID     string `yaml:"modelId"`
	Name        string `yaml:"name"`
	Schema      string `yaml:"schema"`
}

type awsDeployment struct {
	AutoDeployed            bool   `yaml:"autoDeployed"`
	CreatedDate             string `yaml:"createdDate"`
	DeploymentID            string `yaml:"deploymentId"`
	DeploymentStatus        string `yaml:"deploymentStatus"`
	DeploymentStatusMessage string `yaml:"deploymentStatusMessage"`
	Description             string `yaml:"description"`
}

type awsDomainName struct {
	APIMappingSelectionExpression string                     `yaml:"apiMappingSelectionExpression"`
	DomainName                    string                     `yaml:"domainName"`
	DomainNameARN                 string                     `yaml:"domainNameArn"`
	DomainNameConfigurations      []awsDomainNameConfig      `yaml:"domainNameConfigurations"`
	MutualTLSAuthentication       awsMutualTLSAuthentication `yaml:"mutualTlsAuthentication"`
	RoutingMode                   string                     `yaml:"routingMode"`
	Tags                          map[string]string          `yaml:"tags"`
}

type awsDomainNameConfig struct {
	APIGatewayDomainName                string `yaml:"apiGatewayDomainName"`
	CertificateARN                      string `yaml:"certificateArn"`
	CertificateName                     string `yaml:"certificateName"`
	CertificateUploadDate               string `yaml:"certificateUploadDate"`
	DomainNameStatus                    string `yaml:"domainNameStatus"`
	DomainNameStatusMessage             string `yaml:"domainNameStatusMessage"`
	EndpointType                        string `yaml:"endpointType"`
	HostedZoneID                        string `yaml:"hostedZoneId"`
	IPAddressType                       string `yaml:"ipAddressType"`
	OwnershipVerificationCertificateARN string `yaml:"ownershipVerificationCertificateArn"`
	SecurityPolicy                      string `yaml:"securityPolicy"`
}

type awsMutualTLSAuthentication struct {
	TruststoreURI      string   `yaml:"truststoreUri"`
	TruststoreVersion  string   `yaml:"truststoreVersion"`
	TruststoreWarnings []string `yaml:"truststoreWarnings"`
}

type awsAPIMapping struct {
	APIID         string `yaml:"apiId"`
	APIMappingID  string `yaml:"apiMappingId"`
	APIMappingKey string `yaml:"apiMappingKey"`
	Stage         string `yaml:"stage"`
}
