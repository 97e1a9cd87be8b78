package portico

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/connections"
	httpapi "github.com/portico-gw/portico/http"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/accesslog"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/rest"
	"github.com/portico-gw/portico/routing"
	"github.com/portico-gw/portico/usage"
	"github.com/portico-gw/portico/ws"
)

// The API registry. Every API a node serves, whatever its mode and however
// it arrived (the config file on start or SIGHUP; later the control plane
// and templates), is built here by its mode's constructor and swapped in by
// Apply, the one funnel for change.
//
// Identity: an API's ID comes from the model (config.File.AssignAPIIDs
// derives a missing apiId from the name), never from building, so
// connections stay addressable across every Apply.
//
// A new mode is one constructor in its package and one line in modes.

// servedAPI is one API as the dispatcher sees it, whatever its mode.
type servedAPI interface {
	// serve answers a request that routing resolved to the API.
	serve(w http.ResponseWriter, r *http.Request, t routing.Target)
	// rejectStage answers a request for a stage the API does not have.
	rejectStage(w http.ResponseWriter)
}

// reusable is a servedAPI whose object should outlive an Apply that keeps
// the API, because open connections hold it: reuse returns the API to keep
// serving and a function that makes it adopt next's configuration, run
// only once every API of the Apply has been built.
type reusable interface {
	reuse(next servedAPI) (keep servedAPI, adopt func(), ok bool)
}

// buildContext is what every mode's constructor receives: the node's shared
// parts and the API's stage access loggers.
type buildContext struct {
	s          *Server
	file       *config.File
	env        integration.Env
	accessLogs map[string]*accesslog.Logger
}

// plans is the file's API keys and usage plans, which REST and WebSocket
// APIs share.
func (b *buildContext) plans() *usage.Plans {
	return &usage.Plans{APIKeys: b.file.APIKeys, UsagePlans: b.file.UsagePlans, UsagePlanKeys: b.file.UsagePlanKeys}
}

// modes maps a protocolType to its mode's constructor.
var modes = map[string]func(*buildContext, model) (servedAPI, error){
	"WEBSOCKET": newWebSocketAPI,
	"HTTP":      newHTTPAPI,
	"REST":      newRESTAPI,
}

// model is one API of the file, whatever its mode: an apigatewayv2 API
// (apis: WEBSOCKET or HTTP) or an apigateway v1 REST API (restApis, whose
// protocolType is REST here). Exactly one of v2 and rest is set. An
// apigatewayv2 API whose stages serve deployments (the control plane's)
// is one model per stage, each with perStage set and built on its own
// (config.API.StageAPIs), so that each stage serves its own snapshot.
type model struct {
	id, name, protocol string
	stages             []modelStage
	v2                 *config.API
	rest               *config.RestAPI
	perStage           bool
}

// modelStage is what the registry reads of a stage: its name, for
// routing, and its access-log settings.
type modelStage struct {
	name      string
	accessLog *config.AccessLogSettings
}

// models lists every API of f, apis first, then restApis, in file order.
func models(f *config.File) []model {
	out := make([]model, 0, len(f.APIs)+len(f.RestAPIs))
	for i := range f.APIs {
		perStage := slices.ContainsFunc(f.APIs[i].Stages, func(st config.Stage) bool { return st.Deployment != nil })
		split := f.APIs[i].StageAPIs()
		for j := range split {
			a := &split[j]
			m := model{id: a.APIID, name: a.Name, protocol: a.ProtocolType, v2: a, perStage: perStage}
			for _, st := range a.Stages {
				m.stages = append(m.stages, modelStage{st.StageName, st.AccessLogSettings})
			}
			out = append(out, m)
		}
	}
	for i := range f.RestAPIs {
		perStage := slices.ContainsFunc(f.RestAPIs[i].Stages, func(st config.RestStage) bool { return st.Deployment != nil })
		split := f.RestAPIs[i].StageAPIs()
		for j := range split {
			a := &split[j]
			m := model{id: a.RestAPIID, name: a.Name, protocol: "REST", rest: a, perStage: perStage}
			for _, st := range a.Stages {
				m.stages = append(m.stages, modelStage{st.StageName, st.AccessLogSettings})
			}
			out = append(out, m)
		}
	}
	return out
}

// apiSet is the APIs a node serves, by ID, and the resolver that finds
// them. It is immutable once built.
type apiSet struct {
	file     *config.File // the applied model: the caller's File with IDs assigned
	apis     map[string]servedAPI
	resolver *routing.Resolver
}

// webSocket returns the WebSocket API with the ID, or nil.
func (set *apiSet) webSocket(id string) *ws.API {
	a := set.apis[id]
	if sa, ok := a.(*stagedAPI); ok {
		a = sa.first
	}
	if a, ok := a.(webSocketAPI); ok {
		return a.API
	}
	return nil
}

// Apply makes f the node's configuration of APIs: it validates f, builds
// every API, and swaps the new set in atomically. Applies are serialised.
// On any error the old set stays and Apply returns the error: an
// config.ErrorList for an invalid model, a build error otherwise. A
// WebSocket API that stays (same apiId) keeps its open connections, and
// their next message uses the new routes, integrations and authorizer;
// APIs that are gone stop taking new requests while their open
// connections run on; HTTP APIs are rebuilt (their throttling buckets
// start full). Apply never changes f.
//
// Keys read only at start keep their old values until a restart: listen,
// admin, nats, managementApi, controlPlane, credentials for @connections
// and the control plane, publicUrl, and the limits of WebSocket
// connections already open.
//
// The control plane (package control) applies through Apply too, with the
// file's APIs and its own; an embedder that changes the file's APIs calls
// Reload, which keeps the control plane's, rather than Apply.
func (s *Server) Apply(f *config.File) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	return s.applyLocked(f)
}

func (s *Server) applyLocked(f *config.File) error {
	if f == nil {
		return errors.New("portico: Apply: nil config.File")
	}
	m := *f
	m.APIs, m.RestAPIs = slices.Clone(f.APIs), slices.Clone(f.RestAPIs)
	m.AssignAPIIDs()
	if err := config.Validate(&m, "config"); err != nil {
		return err
	}
	fns := functionsOf(&m)
	for _, fn := range fns { // before buildSet, whose end open connections see
		if err := fn.Validate(); err != nil {
			return fmt.Errorf("portico: %w", err)
		}
	}
	remote, err := s.remoteLambda(&m)
	if err != nil {
		return err
	}
	set, err := s.buildSet(&m, s.set.Load(), remote)
	if err != nil {
		return err
	}
	// Functions that did not change keep their warm environments.
	if err := s.functions.Configure(fns, remote); err != nil {
		return fmt.Errorf("portico: %w", err)
	}
	s.set.Store(set)
	return nil
}

// remoteLambda returns the Lambda client for the ARNs that name no local
// function: Config.Lambda when set, else one built from the file's lambda
// block when an API needs it, else nil.
func (s *Server) remoteLambda(f *config.File) (integration.LambdaInvoker, error) {
	if s.cfg.Lambda != nil {
		return s.cfg.Lambda, nil
	}
	if !needsLambda(f) {
		return nil, nil
	}
	lc, err := integration.NewLambdaClient(context.Background(), integration.LambdaOptions{
		Endpoint:        f.Lambda.Endpoint,
		Region:          firstNonEmpty(f.Lambda.Region, f.Region, "us-east-1"),
		AccessKeyID:     f.Lambda.AccessKeyID,
		SecretAccessKey: f.Lambda.SecretAccessKey,
	})
	if err != nil {
		return nil, fmt.Errorf("portico: building the Lambda client: %w", err)
	}
	return lc, nil
}

// buildSet builds every API of f. With prev, an API that implements
// reusable and stays keeps its object. Lambda ARNs go to the node's local
// functions when f has any (which pass the names they do not have to
// remote), else to remote.
func (s *Server) buildSet(f *config.File, prev *apiSet, remote integration.LambdaInvoker) (*apiSet, error) {
	all := models(f)
	set := &apiSet{file: f, apis: make(map[string]servedAPI, len(all))}
	env := s.env
	env.Lambda = remote
	if len(f.Functions) > 0 {
		env.Lambda = s.functions
	}
	resolverAPIs := make([]routing.API, 0, len(all))
	resolverIndex := make(map[string]int, len(all)) // API ID → its entry in resolverAPIs
	var adopt []func()
	for _, api := range all {
		build, ok := modes[api.protocol]
		if !ok {
			return nil, fmt.Errorf("portico: API %s: protocolType %s is not served; want WEBSOCKET or HTTP (REST APIs go under restApis)", api.id, api.protocol)
		}
		b := &buildContext{s: s, file: f, env: env, accessLogs: make(map[string]*accesslog.Logger)}
		stages := make([]string, 0, len(api.stages))
		for _, st := range api.stages {
			l, err := s.accessLogger("API "+api.id, st.name, st.accessLog)
			if err != nil {
				return nil, err
			}
			if l != nil {
				b.accessLogs[st.name] = l
			}
			stages = append(stages, st.name)
		}
		a, err := build(b, api)
		if err != nil {
			return nil, err
		}
		old := prevAPI(prev, api.id)
		if api.perStage {
			old = stageOf(old, api.stages[0].name)
		}
		if old, ok := old.(reusable); ok {
			if keep, fn, ok := old.reuse(a); ok {
				a = keep
				adopt = append(adopt, fn)
			}
		}
		if i, ok := resolverIndex[api.id]; ok { // the next stage of a perStage API
			set.apis[api.id].(*stagedAPI).add(api.stages[0].name, a)
			resolverAPIs[i].Stages = append(resolverAPIs[i].Stages, stages...)
			continue
		}
		if api.perStage {
			sa := &stagedAPI{byStage: make(map[string]servedAPI, 1)}
			sa.add(api.stages[0].name, a)
			a = sa
		}
		set.apis[api.id] = a
		resolverIndex[api.id] = len(resolverAPIs)
		resolverAPIs = append(resolverAPIs, routing.API{ID: api.id, Stages: stages})
	}
	set.resolver = routing.NewResolver(resolverAPIs)
	// Everything built: only now do open connections see the new routes.
	for _, fn := range adopt {
		fn()
	}
	return set, nil
}

// stagedAPI is an API whose stages serve different deployments: one built
// API per stage (see model.perStage), each reused on its own across
// Applies, so that a stage's open WebSocket connections follow that
// stage's deployment only.
type stagedAPI struct {
	byStage map[string]servedAPI
	first   servedAPI // answers for stages the API lacks
}

func (sa *stagedAPI) add(stage string, a servedAPI) {
	if sa.first == nil {
		sa.first = a
	}
	sa.byStage[stage] = a
}

func (sa *stagedAPI) serve(w http.ResponseWriter, r *http.Request, t routing.Target) {
	if a, ok := sa.byStage[t.Stage]; ok {
		a.serve(w, r, t)
		return
	}
	sa.first.rejectStage(w)
}

func (sa *stagedAPI) rejectStage(w http.ResponseWriter) { sa.first.rejectStage(w) }

// stageOf returns the built API that serves stage of a, when a is a
// stagedAPI; otherwise nil, since an API built whole is not reused by
// one stage.
func stageOf(a servedAPI, stage string) servedAPI {
	if sa, ok := a.(*stagedAPI); ok {
		return sa.byStage[stage]
	}
	return nil
}

func prevAPI(prev *apiSet, id string) servedAPI {
	if prev == nil {
		return nil
	}
	return prev.apis[id]
}

// needsLambda reports whether an API of f calls a Lambda ARN that names
// no local function, so that a Lambda client must be built.
func needsLambda(f *config.File) bool {
	remote := func(uri string) bool {
		_, local := f.LocalFunction(uri)
		return strings.HasPrefix(uri, "arn:") && !local
	}
	for _, api := range f.APIs {
		for _, in := range api.Integrations {
			if (in.IntegrationType == "AWS_PROXY" || in.IntegrationType == "AWS") && remote(in.IntegrationURI) {
				return true
			}
		}
		for _, au := range api.Authorizers {
			if remote(au.AuthorizerURI) {
				return true
			}
		}
	}
	for _, whole := range f.RestAPIs {
		for _, api := range whole.StageAPIs() {
			for _, res := range api.Resources {
				for _, m := range res.ResourceMethods {
					if in := m.MethodIntegration; in != nil && remote(in.URI) {
						return true
					}
				}
			}
		}
		for _, au := range whole.Authorizers {
			if remote(au.AuthorizerURI) {
				return true
			}
		}
	}
	return false
}

// webSocketAPI is a WebSocket API (package ws) in the registry. The
// @connections API of its stages is the node's (connections.Management).
type webSocketAPI struct {
	*ws.API
	s *Server
}

func newWebSocketAPI(b *buildContext, m model) (servedAPI, error) {
	a, err := ws.New(ws.BuildConfig{Server: b.s.wsSrv, API: m.v2, AccountID: b.file.AccountID, Region: b.file.Region,
		Credentials: credentialMap(b.file), Env: b.env, AccessLogs: b.accessLogs, Usage: b.plans(), Meter: b.s.meter})
	if err != nil {
		return nil, err
	}
	return webSocketAPI{API: a, s: b.s}, nil
}

func (a webSocketAPI) serve(w http.ResponseWriter, r *http.Request, t routing.Target) {
	if connections.IsManagementPath(t.Rest) {
		// Management sets (and lifts) the body's read deadline itself. With
		// its own body type back, net/http sees after the handler that the
		// body was read, and allocates no reader to drain it.
		if b, ok := r.Body.(*deadlineBody); ok {
			r.Body = b.ReadCloser
		}
		op, status := a.s.mgmt.ServeStatus(w, r, t.APIID, t.Stage, t.Rest)
		a.s.metrics.Management(r.Method, op, status)
		return
	}
	if t.Rest != "" && t.Rest != "/" {
		errForbidden.write(w)
		return
	}
	a.ServeHTTP(w, r, t.Stage, t.BasePath)
}

func (webSocketAPI) rejectStage(w http.ResponseWriter) { errForbidden.write(w) }

func (a webSocketAPI) reuse(next servedAPI) (servedAPI, func(), bool) {
	n, ok := next.(webSocketAPI)
	if !ok {
		return nil, nil, false
	}
	return a, func() { a.Replace(n.API) }, true
}

// httpAPI is an HTTP API (package httpapi) in the registry.
type httpAPI struct{ *httpapi.API }

func newHTTPAPI(b *buildContext, m model) (servedAPI, error) {
	a, err := httpapi.New(httpapi.Config{API: m.v2, AccountID: b.file.AccountID, Region: b.file.Region,
		Credentials: credentialMap(b.file), Env: b.env, Logger: b.s.log, Metrics: b.s.metrics, AccessLogs: b.accessLogs})
	if err != nil {
		return nil, err
	}
	return httpAPI{a}, nil
}

func (a httpAPI) serve(w http.ResponseWriter, r *http.Request, t routing.Target) {
	a.ServeHTTP(w, r, t.Stage, t.Rest)
}

// rejectStage: HTTP APIs answer 404 where WebSocket and REST APIs answer 403.
func (httpAPI) rejectStage(w http.ResponseWriter) { httpapi.WriteNotFound(w, ids.NewRequestID()) }

// restAPI is a REST API (package rest) in the registry.
type restAPI struct{ *rest.API }

func newRESTAPI(b *buildContext, m model) (servedAPI, error) {
	a, err := rest.New(rest.Config{API: m.rest, AccountID: b.file.AccountID, Region: b.file.Region,
		Credentials: credentialMap(b.file), Env: b.env, Logger: b.s.log, AccessLogs: b.accessLogs, Metrics: b.s.metrics,
		Usage: b.plans(), Meter: b.s.meter})
	if err != nil {
		return nil, err
	}
	return restAPI{a}, nil
}

func (a restAPI) serve(w http.ResponseWriter, r *http.Request, t routing.Target) {
	a.ServeHTTP(w, r, t.Stage, t.Rest)
}

// rejectStage: REST APIs answer an unknown stage 403 {"message":"Forbidden"}.
func (restAPI) rejectStage(w http.ResponseWriter) { rest.WriteUnknownStage(w) }
