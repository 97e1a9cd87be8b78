package ws

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/accesslog"
	"github.com/portico-gw/portico/routing"
	"github.com/portico-gw/portico/usage"
)

// BuildConfig is what New builds a WebSocket API from: the API's
// configuration and what the node shares. It is the WebSocket counterpart
// of httpapi.Config.
type BuildConfig struct {
	// Server is the node's WebSocket server, which owns the connections.
	// Required.
	Server *Server
	// API is the API's configuration, validated by config.Load. Required;
	// New reads it and keeps no reference to it.
	API *config.API
	// AccountID appears in events and ARNs. Zero means "000000000000".
	AccountID string
	// Region appears in ARNs. Zero means us-east-1.
	Region string
	// Credentials are the SigV4 keys an AWS_IAM $connect accepts (access
	// key ID → secret).
	Credentials map[string]string
	// Env is what integrations share.
	Env integration.Env
	// AccessLogs holds the access logger of each stage that has one, by
	// stage name. Nil means none.
	AccessLogs map[string]*accesslog.Logger
	// Usage is the API keys and usage plans that a $connect with
	// apiKeyRequired checks, besides the API's own flat apiKeys list. Nil
	// means none.
	Usage *usage.Plans
	// Meter holds the usage plans' buckets and quota counts, shared with
	// the node's other APIs. Nil means one of the API's own.
	Meter *usage.Meter
}

// New builds a WebSocket API from its configuration: its route selection
// expression, an invoker per integration, its routes (two-way when the
// route has a $default route response), its stages, its limits with AWS's
// defaults, and the $connect authorizer (authorize.go). The API is served
// by cfg.Server.
func New(cfg BuildConfig) (*API, error) {
	c := cfg.API
	if c == nil || cfg.Server == nil {
		return nil, errors.New("ws: BuildConfig.API and BuildConfig.Server are required")
	}
	if c.ProtocolType != "WEBSOCKET" {
		return nil, fmt.Errorf("ws: API %s is %s, not WEBSOCKET", c.APIID, c.ProtocolType)
	}
	expr, err := routing.ParseSelectionExpression(c.RouteSelectionExpression)
	if err != nil {
		return nil, fmt.Errorf("ws: API %s: routeSelectionExpression: %w", c.APIID, err)
	}
	invokers := make(map[string]integration.Invoker, len(c.Integrations))
	mocks := make(map[string]bool)
	for i := range c.Integrations {
		in := &c.Integrations[i]
		spec, err := integration.SpecFromConfig(c, in)
		if err != nil {
			return nil, fmt.Errorf("ws: API %s: integration %s: %w", c.APIID, in.IntegrationID, err)
		}
		inv, err := integration.New(spec, cfg.Env)
		if err != nil {
			return nil, fmt.Errorf("ws: API %s: integration %s: %w", c.APIID, in.IntegrationID, err)
		}
		invokers[in.IntegrationID] = inv
		mocks[in.IntegrationID] = spec.Type == "MOCK"
	}
	routes := make([]Route, 0, len(c.Routes))
	for _, rt := range c.Routes {
		id := strings.TrimPrefix(rt.Target, "integrations/")
		inv, ok := invokers[id]
		if !ok {
			return nil, fmt.Errorf("ws: API %s: route %s: target %q not found", c.APIID, rt.RouteKey, rt.Target)
		}
		twoWay := rt.RouteResponseSelectionExpression == "$default"
		for _, rr := range rt.RouteResponses {
			if rr.RouteResponseKey == "$default" {
				twoWay = true
			}
		}
		routes = append(routes, Route{Key: rt.RouteKey, Integration: inv, TwoWay: twoWay, noEvent: mocks[id]})
	}
	stages := make([]Stage, 0, len(c.Stages))
	for _, st := range c.Stages {
		stages = append(stages, Stage{Name: st.StageName, Variables: st.StageVariables, AccessLog: cfg.AccessLogs[st.StageName]})
	}
	region := cmp.Or(cfg.Region, "us-east-1")
	accountID := cmp.Or(cfg.AccountID, "000000000000")
	authz, err := newConnectAuthorizer(c, region, accountID, cfg)
	if err != nil {
		return nil, fmt.Errorf("ws: API %s: %w", c.APIID, err)
	}
	var wsAuthz Authorizer
	if authz != nil {
		wsAuthz = authz
	}
	return cfg.Server.NewAPI(APIConfig{
		Authorizer:     wsAuthz,
		APIID:          c.APIID,
		Region:         region,
		AccountID:      accountID,
		Stages:         stages,
		RouteSelection: expr,
		Routes:         routes,
		Limits:         LimitsFromConfig(c.Limits),
	})
}

// LimitsFromConfig applies AWS's defaults to a configuration's limits: 10
// minutes idle and 2 hours at most, unless set (0 disables either); the
// byte limits, the write timeout and maxInFlight default in Limits itself.
func LimitsFromConfig(l config.Limits) Limits {
	out := Limits{
		IdleTimeout:           10 * time.Minute,
		MaxConnectionDuration: 2 * time.Hour,
		AllowedOrigins:        l.AllowedOrigins,
	}
	if l.MaxFrameBytes != nil {
		out.MaxFrameBytes = *l.MaxFrameBytes
	}
	if l.MaxMessageBytes != nil {
		out.MaxMessageBytes = *l.MaxMessageBytes
	}
	if l.SendQueueBytes != nil {
		out.SendQueueBytes = *l.SendQueueBytes
	}
	if l.IdleTimeout != nil {
		out.IdleTimeout = l.IdleTimeout.Std()
	}
	if l.MaxConnectionDuration != nil {
		out.MaxConnectionDuration = l.MaxConnectionDuration.Std()
	}
	if l.WriteTimeout != nil {
		out.WriteTimeout = l.WriteTimeout.Std()
	}
	if l.MaxInFlight != nil {
		out.MaxInFlight = *l.MaxInFlight
	}
	return out
}
