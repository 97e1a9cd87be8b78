package config

// The fields of the apigateway (v1) models, as the aws-sdk-go-v2
// apigateway types and the REST-JSON wire name them, that Portico accepts
// and does not act on (see aws_fields.go for the mechanism).

type restAPIAWSOnly struct {
	APIStatus                 string                   `yaml:"apiStatus"`
	APIStatusMessage          string                   `yaml:"apiStatusMessage"`
	CreatedDate               string                   `yaml:"createdDate"`
	DisableExecuteAPIEndpoint bool                     `yaml:"disableExecuteApiEndpoint"`
	EndpointAccessMode        string                   `yaml:"endpointAccessMode"`
	EndpointConfiguration     awsEndpointConfiguration `yaml:"endpointConfiguration"`
	MinimumCompressionSize    *int                     `yaml:"minimumCompressionSize"`
	Policy                    string                   `yaml:"policy"`
	RootResourceID            string                   `yaml:"rootResourceId"`
	SecurityPolicy            string                   `yaml:"securityPolicy"`
	Tags                      map[string]string        `yaml:"tags"`
	Version                   string                   `yaml:"version"`
	Warnings                  []string                 `yaml:"warnings"`
}

type awsEndpointConfiguration struct {
	IPAddressType  string   `yaml:"ipAddressType"`
	Types          []string `yaml:"types"`
	VPCEndpointIDs []string `yaml:"vpcEndpointIds"`
}

type restIntegrationAWSOnly struct {
	IntegrationTarget    string `yaml:"integrationTarget"`
	ResponseTransferMode string `yaml:"responseTransferMode"`
}

type gatewayResponseAWSOnly struct {
	DefaultResponse bool `yaml:"defaultResponse"`
}

type restStageAWSOnly struct {
	CacheClusterEnabled  bool              `yaml:"cacheClusterEnabled"`
	CacheClusterSize     string            `yaml:"cacheClusterSize"`
	CacheClusterStatus   string            `yaml:"cacheClusterStatus"`
	CanarySettings       awsCanarySettings `yaml:"canarySettings"`
	ClientCertificateID  string            `yaml:"clientCertificateId"`
	CreatedDate          string            `yaml:"createdDate"`
	DocumentationVersion string            `yaml:"documentationVersion"`
	LastUpdatedDate      string            `yaml:"lastUpdatedDate"`
	Tags                 map[string]string `yaml:"tags"`
	TracingEnabled       bool              `yaml:"tracingEnabled"`
	WebACLARN            string            `yaml:"webAclArn"`
}

type awsCanarySettings struct {
	DeploymentID           string            `yaml:"deploymentId"`
	PercentTraffic         float64           `yaml:"percentTraffic"`
	StageVariableOverrides map[string]string `yaml:"stageVariableOverrides"`
	UseStageCache          bool              `yaml:"useStageCache"`
}

type methodSettingAWSOnly struct {
	CacheDataEncrypted                     bool   `yaml:"cacheDataEncrypted"`
	CacheTTLInSeconds                      *int   `yaml:"cacheTtlInSeconds"`
	RequireAuthorizationForCacheControl    bool   `yaml:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string `yaml:"unauthorizedCacheControlHeaderStrategy"`
}

type apiKeyAWSOnly struct {
	CreatedDate     string            `yaml:"createdDate"`
	CustomerID      string            `yaml:"customerId"`
	LastUpdatedDate string            `yaml:"lastUpdatedDate"`
	Tags            map[string]string `yaml:"tags"`
}

type usagePlanAWSOnly struct {
	ProductCode string            `yaml:"productCode"`
	Tags        map[string]string `yaml:"tags"`
}

// usagePlanKeyAWSOnly is the rest of `aws apigateway get-usage-plan-keys`
// output (its id and type are keyId and keyType).
type usagePlanKeyAWSOnly struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}
