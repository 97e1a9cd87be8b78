package config

import "time"

// File is the whole configuration file. Field names are those of the AWS
// control-plane APIs (lower camelCase, as the REST-JSON wire carries them;
// the PascalCase that `aws apigatewayv2 get-*` prints is accepted too) plus
// a few Portico extensions, each marked as such.
type File struct {
	// Warnings are what Load and Parse accepted but want the reader to
	// know, in file order: fields of the AWS models that Portico does not
	// act on, and mistakes that are legal but probably not meant (a route
	// selection expression that reads nothing). They are not part of the
	// file, and never stop it loading.
	Warnings ErrorList `yaml:"-"`

	// Listen is the data-plane address for every API. Zero means 127.0.0.1:8080.
	Listen string `yaml:"listen"`
	// Admin is the address of /healthz, /readyz and /metrics. Empty disables it.
	Admin string `yaml:"admin"`
	// AdminPprof serves net/http/pprof under /debug/pprof/ on the admin
	// listener (Portico extension). It requires admin.
	AdminPprof bool `yaml:"adminPprof"`
	// Region is the AWS region the gateway pretends to be in. Zero means us-east-1.
	Region string `yaml:"region"`
	// AccountID appears in ARNs and events. Zero means "000000000000".
	AccountID string `yaml:"accountId"`
	// PublicURL overrides the scheme and host of callback URLs (for example
	// https://ws.example.com). Empty means the base the client used.
	PublicURL string `yaml:"publicUrl"`
	// Credentials are the SigV4 keys accepted on @connections.
	Credentials []Credential `yaml:"credentials"`
	// ManagementAPI tunes the @connections API (Portico extension).
	ManagementAPI ManagementAPI `yaml:"managementApi"`
	// ControlPlane tunes the apigatewayv2 control plane that the admin
	// listener serves under /v2/ (Portico extension).
	ControlPlane ControlPlane `yaml:"controlPlane"`
	// Lambda configures the client used for AWS_PROXY integrations to Lambda ARNs.
	Lambda Lambda `yaml:"lambda"`
	// NATS configures the bus.
	NATS NATS `yaml:"nats"`
	// Functions are local Lambda functions that Portico runs itself
	// (Portico extension; see functions.go).
	Functions []Function `yaml:"functions"`
	// Limits bound what the node spends across its APIs (Portico extension).
	Limits NodeLimits `yaml:"limits"`
	// APIs are the APIs served.
	APIs []API `yaml:"apis"`

	// The listener layer (Portico extensions; see validate_tls.go).

	// TLS serves the data plane over TLS (static files or ACME). Nil means
	// plain HTTP.
	TLS *TLS `yaml:"tls"`
	// AdminTLS serves the admin listener over TLS (certFile and keyFile
	// only). Nil means plain HTTP.
	AdminTLS *TLS `yaml:"adminTls"`
	// DataDir holds state kept across restarts: the ACME account and
	// certificates (under DataDir/acme). Empty means ./portico-data.
	DataDir string `yaml:"dataDir"`
	// TrustedProxies are the proxies (IP addresses or CIDR prefixes) whose
	// X-Forwarded-For and X-Forwarded-Proto are believed. Empty trusts none.
	TrustedProxies []string `yaml:"trustedProxies"`
	// Timeouts bound the listeners' idle and slow clients.
	Timeouts Timeouts `yaml:"timeouts"`
	// MaxConnections caps the data plane's open connections; over it,
	// clients get 503. Zero means the fd limit (RLIMIT_NOFILE) less a
	// reserve of max(256, 10%); negative means no cap.
	MaxConnections int `yaml:"maxConnections"`

	// REST APIs (apigateway v1; see rest.go). They are loaded and
	// validated; nothing serves them yet.

	// RestAPIs are the REST APIs.
	RestAPIs []RestAPI `yaml:"restApis"`
	// APIKeys are the API keys of REST APIs and WebSocket APIs (not to
	// be confused with the older per-API apiKeys list of WebSocket APIs
	// under apis).
	APIKeys []APIKey `yaml:"apiKeys"`
	// UsagePlans bind API keys to REST and WebSocket API stages, with
	// throttles and quotas.
	UsagePlans []UsagePlan `yaml:"usagePlans"`
	// UsagePlanKeys put API keys in usage plans.
	UsagePlanKeys []UsagePlanKey `yaml:"usagePlanKeys"`
}

// TLS is a listener's certificate: files, or ACME (exactly one).
type TLS struct {
	// CertFile and KeyFile are PEM files (the chain, leaf first, and its
	// key), read at start and on every reload (SIGHUP).
	CertFile string `yaml:"certFile"`
	KeyFile  string `yaml:"keyFile"`
	// ACME obtains and renews certificates automatically (Let's Encrypt by
	// default).
	ACME *ACME `yaml:"acme"`
}

// ACME configures automatic certificates (golang.org/x/crypto/acme/autocert).
type ACME struct {
	// Hosts are the only names a certificate is requested for. Required.
	Hosts []string `yaml:"hosts"`
	// Email is the ACME account's contact. Optional.
	Email string `yaml:"email"`
	// DirectoryURL is the ACME directory. Empty means Let's Encrypt production.
	DirectoryURL string `yaml:"directoryUrl"`
	// HTTPListen serves the HTTP-01 challenge (and redirects other requests
	// to https) on this address, e.g. ":80". Empty means the TLS-ALPN-01
	// challenge on the TLS listener itself.
	HTTPListen string `yaml:"httpListen"`
}

// Timeouts bound the data-plane and admin listeners. Zero means the default.
type Timeouts struct {
	// ReadHeader bounds reading a request's header. Default 10s.
	ReadHeader Duration `yaml:"readHeader"`
	// ReadBody bounds reading a request's body (not WebSocket connections,
	// whose limits are the API's). Default 60s.
	ReadBody Duration `yaml:"readBody"`
	// Idle closes a keep-alive connection idle this long. Default 120s.
	Idle Duration `yaml:"idle"`
}

// Credential is one SigV4 key pair.
type Credential struct {
	AccessKeyID     string `yaml:"accessKeyId"`
	SecretAccessKey string `yaml:"secretAccessKey"`
}

// ManagementAPI holds the @connections options (Portico extension).
type ManagementAPI struct {
	// AllowUnsigned accepts unsigned @connections requests, and only from
	// loopback addresses. Signed requests are still verified.
	AllowUnsigned bool `yaml:"allowUnsigned"`
}

// ControlPlane holds the control plane's options (Portico extension).
type ControlPlane struct {
	// AllowUnsigned accepts unsigned control-plane requests, and only from
	// loopback addresses. Signed requests are still verified against
	// credentials.
	AllowUnsigned bool `yaml:"allowUnsigned"`
}

// Lambda configures the Lambda Invoke client.
type Lambda struct {
	// Endpoint overrides the Lambda endpoint (LocalStack, sam local start-lambda, a test server).
	Endpoint string `yaml:"endpoint"`
	// Region overrides File.Region for Lambda calls. Zero means the ARN's region.
	Region string `yaml:"region"`
	// AccessKeyID and SecretAccessKey are static credentials for Lambda. Empty
	// means the default AWS credential chain.
	AccessKeyID     string `yaml:"accessKeyId"`
	SecretAccessKey string `yaml:"secretAccessKey"`
}

// NATS configures the bus.
type NATS struct {
	// URL joins an external NATS server or cluster. Empty means an embedded server.
	URL string `yaml:"url"`
	// Listen exposes the embedded server on this address. Empty means no
	// network listener (in-process connections only).
	Listen string `yaml:"listen"`
	// SubjectPrefix prefixes every subject. Zero means "portico".
	SubjectPrefix string `yaml:"subjectPrefix"`
	// Credentials for an external NATS (nats.go options).
	CredentialsFile string `yaml:"credentialsFile"` // a .creds file (JWT + NKey)
	NKeySeedFile    string `yaml:"nkeySeedFile"`
	User            string `yaml:"user"`
	Password        string `yaml:"password"`
	Token           string `yaml:"token"`
	// TLS for an external NATS.
	TLS NATSTLS `yaml:"tls"`
	// Cluster joins embedded servers into a NATS cluster.
	Cluster NATSCluster `yaml:"cluster"`
}

// NATSTLS configures TLS to an external NATS server.
type NATSTLS struct {
	CAFile   string `yaml:"caFile"`
	CertFile string `yaml:"certFile"`
	KeyFile  string `yaml:"keyFile"`
}

// NATSCluster clusters embedded NATS servers over routes.
type NATSCluster struct {
	// Name is the cluster's name; every node uses the same. Zero means "portico".
	Name string `yaml:"name"`
	// Listen is this node's route address (host:port). Empty: no clustering.
	Listen string `yaml:"listen"`
	// Routes are the other nodes' route URLs (nats-route://host:port).
	Routes []string `yaml:"routes"`
}

// API is an apigatewayv2 Api with its child resources.
type API struct {
	// APIID is the API's identity. When absent, Load derives it from Name
	// (10 lowercase alphanumerics, the same on every load; see
	// StableAPIID), so open connections survive reloads.
	APIID        string `yaml:"apiId"`
	Name         string `yaml:"name"`
	Description  string `yaml:"description"`
	ProtocolType string `yaml:"protocolType"` // WEBSOCKET or HTTP
	// OpenAPI names an OpenAPI 3 document (a path relative to the config
	// file) that gives an HTTP API's routes, integrations, authorizers and
	// CORS configuration (Portico extension; see OpenAPIImporter).
	OpenAPI                  string        `yaml:"openapi"`
	RouteSelectionExpression string        `yaml:"routeSelectionExpression"`
	Integrations             []Integration `yaml:"integrations"`
	Routes                   []Route       `yaml:"routes"`
	Stages                   []Stage       `yaml:"stages"`
	// Authorizers are the API's JWT and REQUEST (Lambda) authorizers.
	Authorizers []Authorizer `yaml:"authorizers"`
	// APIKeySelectionExpression (WebSocket) says where a route that
	// requires an API key finds it: $request.header.x-api-key (the default)
	// or $context.authorizer.usageIdentifierKey.
	APIKeySelectionExpression string `yaml:"apiKeySelectionExpression"`
	// APIKeys (WebSocket) are keys accepted on a $connect with
	// apiKeyRequired, in every stage, with no throttle or quota: Portico's
	// older stand-in for AWS's model (top-level apiKeys, usagePlans and
	// usagePlanKeys), still read; Load warns about it.
	APIKeys []string `yaml:"apiKeys"`
	// CorsConfiguration makes an HTTP API answer CORS itself.
	CorsConfiguration *Cors `yaml:"corsConfiguration"`
	// Limits is a Portico extension; zero values mean the AWS defaults.
	Limits Limits `yaml:"limits"`
}

// Authorizer is an apigatewayv2 Authorizer.
type Authorizer struct {
	AuthorizerID   string `yaml:"authorizerId"`
	Name           string `yaml:"name"`
	AuthorizerType string `yaml:"authorizerType"` // JWT or REQUEST
	// IdentitySource lists the request values the authorizer reads:
	// $request.header.X, $request.querystring.X, $context.X,
	// $stageVariables.X (HTTP); route.request.header.X,
	// route.request.querystring.X, stageVariables.X, context.X (WebSocket).
	IdentitySource   []string          `yaml:"identitySource"`
	JWTConfiguration *JWTConfiguration `yaml:"jwtConfiguration"`
	// AuthorizerURI is the function: a Lambda ARN, API Gateway's
	// arn:aws:apigateway:REGION:lambda:path/.../invocations form, or an
	// http(s) URL that receives the event (Portico extension).
	AuthorizerURI                  string `yaml:"authorizerUri"`
	AuthorizerPayloadFormatVersion string `yaml:"authorizerPayloadFormatVersion"`
	EnableSimpleResponses          bool   `yaml:"enableSimpleResponses"`
	// AuthorizerResultTTLInSeconds caches results; nil means the default
	// (300 for REQUEST authorizers with identity sources), 0 disables.
	AuthorizerResultTTLInSeconds *int   `yaml:"authorizerResultTtlInSeconds"`
	AuthorizerCredentialsARN     string `yaml:"authorizerCredentialsArn"`
}

// JWTConfiguration is a JWT authorizer's issuer and audiences.
type JWTConfiguration struct {
	Issuer   string   `yaml:"issuer"`
	Audience []string `yaml:"audience"`
}

// Cors is an HTTP API's corsConfiguration.
type Cors struct {
	AllowOrigins     []string `yaml:"allowOrigins"`
	AllowCredentials bool     `yaml:"allowCredentials"`
	ExposeHeaders    []string `yaml:"exposeHeaders"`
	MaxAge           *int     `yaml:"maxAge"` // seconds; nil sends no Access-Control-Max-Age
	AllowMethods     []string `yaml:"allowMethods"`
	AllowHeaders     []string `yaml:"allowHeaders"`
}

// RouteSettings are an HTTP API stage's per-route settings.
type RouteSettings struct {
	// ThrottlingBurstLimit is the token bucket's size; nil means unlimited.
	ThrottlingBurstLimit *int `yaml:"throttlingBurstLimit"`
	// ThrottlingRateLimit is tokens per second; nil means unlimited.
	ThrottlingRateLimit    *float64 `yaml:"throttlingRateLimit"`
	DetailedMetricsEnabled bool     `yaml:"detailedMetricsEnabled"`
}

// Integration is an apigatewayv2 Integration with its integration responses.
type Integration struct {
	IntegrationID               string                `yaml:"integrationId"`
	Description                 string                `yaml:"description"`
	IntegrationType             string                `yaml:"integrationType"` // AWS_PROXY, HTTP_PROXY, HTTP, MOCK, NATS (Portico extension)
	IntegrationURI              string                `yaml:"integrationUri"`
	IntegrationMethod           string                `yaml:"integrationMethod"`
	TimeoutInMillis             int                   `yaml:"timeoutInMillis"`
	PayloadFormatVersion        string                `yaml:"payloadFormatVersion"`
	PassthroughBehavior         string                `yaml:"passthroughBehavior"`
	TemplateSelectionExpression string                `yaml:"templateSelectionExpression"`
	RequestParameters           map[string]string     `yaml:"requestParameters"`
	RequestTemplates            map[string]string     `yaml:"requestTemplates"`
	IntegrationResponses        []IntegrationResponse `yaml:"integrationResponses"`
	// ResponseParameters maps an HTTP API integration's responses, keyed by
	// status code ("200", "500"), e.g. {"overwrite:statuscode": "204"}.
	ResponseParameters map[string]map[string]string `yaml:"responseParameters"`
}

// IntegrationResponse is an apigatewayv2 IntegrationResponse (non-proxy integrations).
type IntegrationResponse struct {
	IntegrationResponseKey      string            `yaml:"integrationResponseKey"` // $default or /regex/
	TemplateSelectionExpression string            `yaml:"templateSelectionExpression"`
	ResponseTemplates           map[string]string `yaml:"responseTemplates"`
	ResponseParameters          map[string]string `yaml:"responseParameters"`
}

// Route is an apigatewayv2 Route with its route responses.
type Route struct {
	RouteKey                         string          `yaml:"routeKey"`
	Target                           string          `yaml:"target"` // integrations/{integrationId}
	OperationName                    string          `yaml:"operationName"`
	AuthorizationType                string          `yaml:"authorizationType"` // NONE, JWT, CUSTOM, AWS_IAM
	APIKeyRequired                   bool            `yaml:"apiKeyRequired"`
	AuthorizerID                     string          `yaml:"authorizerId"`
	AuthorizationScopes              []string        `yaml:"authorizationScopes"`
	RouteResponseSelectionExpression string          `yaml:"routeResponseSelectionExpression"`
	RouteResponses                   []RouteResponse `yaml:"routeResponses"`
}

// RouteResponse is an apigatewayv2 RouteResponse. Only the $default key exists.
type RouteResponse struct {
	RouteResponseKey string `yaml:"routeResponseKey"`
}

// Stage is an apigatewayv2 Stage.
type Stage struct {
	StageName      string            `yaml:"stageName"`
	Description    string            `yaml:"description"`
	AutoDeploy     bool              `yaml:"autoDeploy"`
	StageVariables map[string]string `yaml:"stageVariables"`
	// DefaultRouteSettings and RouteSettings (keyed by route key) throttle
	// HTTP API routes.
	DefaultRouteSettings *RouteSettings           `yaml:"defaultRouteSettings"`
	RouteSettings        map[string]RouteSettings `yaml:"routeSettings"`
	// AccessLogSettings turns on access logging for the stage: one line per
	// HTTP request, WebSocket connect, message and disconnect. Nil means none.
	AccessLogSettings *AccessLogSettings `yaml:"accessLogSettings"`
	// Deployment, when set, is what the stage serves in place of the API's
	// own routes, integrations and authorizers: the snapshot of a
	// deployment. The control plane sets it; a file cannot (see
	// API.StageAPIs).
	Deployment *Deployment `yaml:"-"`
}

// Deployment is an immutable snapshot of an API's routes, integrations
// and authorizers, as a stage serves it (apigatewayv2 CreateDeployment).
type Deployment struct {
	DeploymentID string
	Routes       []Route
	Integrations []Integration
	Authorizers  []Authorizer
}

// StageAPIs returns the API as its stages serve it. When no stage has a
// Deployment, that is a itself, with all its stages. Otherwise it is one
// API per stage, in stage order: a copy of a with that stage alone and,
// when the stage has a Deployment, the deployment's routes, integrations
// and authorizers in place of a's. Validation and the registry both build
// from StageAPIs, so a stage serves exactly what was validated. The
// results share a's slices and maps; do not change them.
func (a *API) StageAPIs() []API {
	split := false
	for _, st := range a.Stages {
		if st.Deployment != nil {
			split = true
		}
	}
	if !split {
		return []API{*a}
	}
	out := make([]API, 0, len(a.Stages))
	for _, st := range a.Stages {
		sa := *a
		if d := st.Deployment; d != nil {
			sa.Routes, sa.Integrations, sa.Authorizers = d.Routes, d.Integrations, d.Authorizers
		}
		st.Deployment = nil
		sa.Stages = []Stage{st}
		out = append(out, sa)
	}
	return out
}

// AccessLogSettings is a stage's access logging, as AWS's
// AccessLogSettings with a Portico destination.
type AccessLogSettings struct {
	// Format is a template of $context variables ($context.requestId,
	// $context.status, ...). Empty means a JSON object per line (see
	// accesslog.DefaultFormat in internal/accesslog).
	Format string `yaml:"format"`
	// Destination is stdout, stderr or a file path (appended to, relative
	// to the working directory). Empty means stdout (Portico extension).
	Destination string `yaml:"destination"`
	// DestinationARN is accepted so that stages exported from AWS load; a
	// CloudWatch log group means nothing here and lines go to Destination.
	DestinationARN string `yaml:"destinationArn"`
}

// Limits are per-API gateway limits (Portico extension). A nil pointer means
// the AWS default; an explicit 0 disables idleTimeout and maxConnectionDuration.
type Limits struct {
	MaxFrameBytes         *int      `yaml:"maxFrameBytes"`         // default 32768
	MaxMessageBytes       *int      `yaml:"maxMessageBytes"`       // default 131072
	IdleTimeout           *Duration `yaml:"idleTimeout"`           // default 10m; 0 disables
	MaxConnectionDuration *Duration `yaml:"maxConnectionDuration"` // default 2h; 0 disables
	SendQueueBytes        *int      `yaml:"sendQueueBytes"`        // default 1 MiB
	WriteTimeout          *Duration `yaml:"writeTimeout"`          // default 1s
	MaxInFlight           *int      `yaml:"maxInFlight"`           // default 16 message invocations per connection
	AllowedOrigins        []string  `yaml:"allowedOrigins"`        // empty: any Origin
}

// NodeLimits bound what one node spends on WebSocket messages, across its
// APIs (Portico extension). A nil pointer means the default. They are read
// at start; a reload does not change them.
type NodeLimits struct {
	// MaxInFlightMessages bounds the messages whose integration call runs
	// at once; past it, readers stop reading their sockets until one ends.
	MaxInFlightMessages *int `yaml:"maxInFlightMessages"` // default 10000
	// MaxInFlightBytes bounds those messages' payload bytes.
	MaxInFlightBytes *int `yaml:"maxInFlightBytes"` // default 268435456 (256 MiB)
}

// Duration is a time.Duration written as a Go duration string ("10m", "1s")
// or "0". Plain integers are rejected to avoid unit mistakes.
type Duration time.Duration
