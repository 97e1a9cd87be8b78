package control

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/internal/clientaddr"
	"github.com/portico-gw/portico/internal/sigv4"
)

// Config configures a Controller.
type Config struct {
	// Apply applies a whole configuration: the file's APIs and the control
	// plane's. Required; Portico passes Server.Apply, the one funnel for
	// change. The Controller calls it with its lock held, never
	// concurrently with itself.
	Apply func(*config.File) error
	// File is the configuration file's model. Its APIs are managed by the
	// file: shown by the read operations, refused by the others. Its
	// other keys are kept in every configuration the Controller applies.
	// Required.
	File *config.File
	// Store keeps the control plane's APIs. Nil means a new MemStore.
	Store Store
	// Credentials maps access key IDs to secrets: the SigV4 keys accepted
	// (service apigateway, any region).
	Credentials map[string]string
	// AllowUnsigned accepts unsigned requests from loopback addresses.
	AllowUnsigned bool
	// Endpoint returns the data plane's base URL (http://127.0.0.1:8080),
	// from which an API's apiEndpoint is made: the base plus
	// /_aws/execute-api/{apiId}, with ws(s) for WebSocket APIs. Nil, or an
	// empty result, means AWS's form,
	// https://{apiId}.execute-api.{region}.amazonaws.com.
	Endpoint func() string
	// Usage is the data plane's count of usage-plan requests, which
	// GetUsage reads and UpdateUsage credits. Nil: GetUsage answers
	// zeros and UpdateUsage changes nothing served.
	Usage Usage
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// Logger receives the Controller's logs. Nil means discard.
	Logger *slog.Logger
}

// Usage is what the control plane reads and changes of the data plane's
// usage-plan counts (Portico's *usage.Meter implements it).
type Usage interface {
	// Daily returns the requests admitted for keyID under planID's quota
	// on each UTC day from first to last, both included.
	Daily(planID, keyID string, first, last time.Time) []int
	// PeriodUsed returns the requests admitted for keyID under planID in
	// the quota period that starts at start.
	PeriodUsed(planID, keyID string, start time.Time) int
	// PeriodStart returns the start of the quota period (DAY, WEEK or
	// MONTH, with its offset) that holds t.
	PeriodStart(period string, offset int, t time.Time) time.Time
	// SetCredit lets keyID make extra requests beyond planID's quota
	// limit in the period that starts at start.
	SetCredit(planID, keyID string, start time.Time, extra int)
}

// Validate reports what New would refuse: a Config without Apply or File.
func (cfg Config) Validate() error {
	if cfg.Apply == nil {
		return errors.New("control: Config.Apply is nil")
	}
	if cfg.File == nil {
		return errors.New("control: Config.File is nil")
	}
	return nil
}

// Controller serves the apigatewayv2 control plane (ServeHTTP) and keeps
// what it serves applied.
type Controller struct {
	cfg      Config
	store    Store
	verifier *sigv4.Verifier
	now      func() time.Time
	log      *slog.Logger

	// mu serialises the changes of this Controller: every mutation and
	// every Apply it makes. Lock order: mu, then whatever Config.Apply
	// locks (the Server's reload lock).
	mu sync.Mutex
	// base is the file's model, with API IDs assigned. Guarded by mu.
	base *config.File
	// applied is the control plane's part of the last configuration
	// applied. Guarded by mu.
	applied applied
	// appliedOnce says applied holds what was applied, so that an Apply
	// of the same APIs can be skipped. Guarded by mu.
	appliedOnce bool
}

// New returns a Controller. It applies nothing: it takes File as applied
// already (Portico applies it before), so Sync and Run apply only when
// the Store holds APIs.
func New(cfg Config) (*Controller, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Controller{cfg: cfg, store: cfg.Store, now: cfg.Now, log: cfg.Logger}
	if c.store == nil {
		c.store = NewMemStore()
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	creds := make(map[string]string, len(cfg.Credentials))
	for k, v := range cfg.Credentials {
		creds[k] = v
	}
	c.verifier = &sigv4.Verifier{Service: "apigateway", Lookup: func(ak string) (string, bool) {
		s, ok := creds[ak]
		return s, ok
	}}
	c.base = withIDs(cfg.File)
	c.appliedOnce = true // the file alone: no control-plane APIs
	return c, nil
}

// withIDs returns a copy of f whose APIs have their IDs.
func withIDs(f *config.File) *config.File {
	m := *f
	m.APIs, m.RestAPIs = slices.Clone(f.APIs), slices.Clone(f.RestAPIs)
	m.AssignAPIIDs()
	return &m
}

// ReloadFile makes f the file's model and applies it, with the control
// plane's APIs, through apply (SIGHUP's reload, which also reloads
// certificates). It holds the lock every change holds, so a reload and a
// control-plane change never undo each other.
func (c *Controller) ReloadFile(f *config.File, apply func(*config.File) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	base := withIDs(f)
	if err := apply(compose(base, &c.applied)); err != nil {
		return err
	}
	c.base = base
	return nil
}

// Sync applies what the Store holds now. Run calls it on every change
// another writer makes; a caller whose Store may hold APIs at start calls
// it once.
func (c *Controller) Sync(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, err := c.load(ctx)
	if err != nil {
		return err
	}
	return c.applyLocked(st)
}

// Run applies the Store's APIs, then every change to them, until ctx ends;
// it returns ctx's error. It is for Stores that other writers share (other
// nodes); a Controller alone with its Store needs no Run.
//
// When the Store cannot watch or be read (NATS JetStream not ready, not
// enabled, or electing a leader), Run ends the watch and tries again every
// few hundred milliseconds, up to every 2 seconds, until ctx ends, so that
// what it missed is applied as soon as the Store answers; a warning is
// logged once when it has failed for 15 seconds.
func (c *Controller) Run(ctx context.Context) error {
	const firstWait, maxWait, warnAfter = 250 * time.Millisecond, 2 * time.Second, 15 * time.Second
	wait := firstWait
	var failingSince time.Time
	warned := false
	for {
		err := c.follow(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil { // the watch ended (a slow reader, NATS closed): at once again
			wait, failingSince, warned = firstWait, time.Time{}, false
			continue
		}
		level := slog.LevelDebug
		if failingSince.IsZero() {
			failingSince = time.Now()
			if !errors.Is(err, ErrUnavailable) { // not NATS: the configuration, a record
				level = slog.LevelError
			}
		}
		if !warned && time.Since(failingSince) >= warnAfter {
			level, warned = slog.LevelWarn, true
		}
		c.log.Log(ctx, level, "control plane: cannot follow the store; retrying", "error", err, "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, maxWait)
	}
}

// follow watches the Store, applies what it holds, then what every change
// leaves, until the watch ends (nil) or reading the Store fails (the
// error; the watch is ended).
func (c *Controller) follow(ctx context.Context) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := c.store.Watch(wctx, "") // every key: v1.restapis. and v2.apis.
	if err != nil {
		return err
	}
	defer func() {
		cancel()
		for range ch { // the watch's goroutine ends with wctx
		}
	}()
	if err := c.Sync(wctx); err != nil {
		return err
	}
	for range ch {
		// Drain what is queued: one Sync covers them all.
		for len(ch) > 0 {
			<-ch
		}
		if err := c.Sync(wctx); err != nil {
			return err
		}
	}
	return nil
}

// keyPrefix starts the keys of the control plane's apigatewayv2 APIs,
// restKeyPrefix those of its apigateway (v1) REST APIs.
const (
	keyPrefix     = "v2.apis."
	restKeyPrefix = "v1.restapis."
)

func apiKey(id string) string { return keyPrefix + id }

func restKey(id string) string { return restKeyPrefix + id }

// listRecords returns the records of kind R under prefix in the Store,
// oldest first by created.
func listRecords[R any](ctx context.Context, s Store, prefix string, created func(*R) time.Time) ([]*R, error) {
	entries, err := s.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]*R, 0, len(entries))
	for _, e := range entries {
		rec := new(R)
		if err := json.Unmarshal(e.Value, rec); err != nil {
			return nil, fmt.Errorf("control: store key %s: %w", e.Key, err)
		}
		out = append(out, rec)
	}
	slices.SortStableFunc(out, func(a, b *R) int { return created(a).Compare(created(b)) })
	return out, nil
}

// restRecords returns the control plane's REST APIs in the Store, oldest
// first.
func (c *Controller) restRecords(ctx context.Context) ([]*restRecord, error) {
	return listRecords(ctx, c.store, restKeyPrefix, func(r *restRecord) time.Time { return r.API.CreatedDate.time() })
}

// records returns the control plane's APIs in the Store, oldest first.
func (c *Controller) records(ctx context.Context) ([]*apiRecord, error) {
	return listRecords(ctx, c.store, keyPrefix, func(r *apiRecord) time.Time { return r.API.created() })
}

func (a *wireAPI) created() time.Time {
	if a.CreatedDate == nil {
		return time.Time{}
	}
	return time.Time(*a.CreatedDate)
}

// state is what the Store holds: every record of every kind, oldest
// first within a kind.
type state struct {
	v2    []*apiRecord
	v1    []*restRecord
	keys  []*apiKeyRecord
	plans []*usagePlanRecord
}

// load reads the Store's records.
func (c *Controller) load(ctx context.Context) (*state, error) {
	var st state
	var err error
	if st.v2, err = c.records(ctx); err != nil {
		return nil, err
	}
	if st.v1, err = c.restRecords(ctx); err != nil {
		return nil, err
	}
	if st.keys, err = c.apiKeyRecords(ctx); err != nil {
		return nil, err
	}
	if st.plans, err = c.usagePlanRecords(ctx); err != nil {
		return nil, err
	}
	return &st, nil
}

// applied is the control plane's part of a configuration.
type applied struct {
	apis     []config.API
	restAPIs []config.RestAPI
	keys     []config.APIKey
	plans    []config.UsagePlan
	planKeys []config.UsagePlanKey
}

// applyLocked applies the file's APIs plus what st serves, unless that
// is what was applied last.
func (c *Controller) applyLocked(st *state) error {
	var apis []config.API
	for _, rec := range st.v2 {
		if a, ok := served(rec); ok {
			apis = append(apis, a)
		}
	}
	next := applied{apis: apis}
	for _, rec := range st.v1 {
		if a, ok := restServed(rec); ok {
			next.restAPIs = append(next.restAPIs, a)
		}
	}
	next.keys, next.plans, next.planKeys = usageServed(c.base, &next, st.keys, st.plans)
	c.applyCredits(st.plans)
	if c.appliedOnce && reflect.DeepEqual(next, c.applied) {
		return nil
	}
	if err := c.cfg.Apply(compose(c.base, &next)); err != nil {
		return err
	}
	c.applied, c.appliedOnce = next, true
	return nil
}

// compose returns base with what the control plane serves after its own.
func compose(base *config.File, cp *applied) *config.File {
	m := *base
	m.Warnings = nil
	m.APIs = append(slices.Clip(base.APIs), cp.apis...)
	m.RestAPIs = append(slices.Clip(base.RestAPIs), cp.restAPIs...)
	m.APIKeys = append(slices.Clip(base.APIKeys), cp.keys...)
	m.UsagePlans = append(slices.Clip(base.UsagePlans), cp.plans...)
	m.UsagePlanKeys = append(slices.Clip(base.UsagePlanKeys), cp.planKeys...)
	return &m
}

// maxRetries bounds the read-modify-write attempts of one change that
// keeps meeting concurrent writers.
const maxRetries = 5

// change runs one read-modify-write of the API id: fn gets the stored
// record (nil when the key does not exist) and returns the record to
// store (nil deletes it) and the answer. The new state is applied before
// it is stored, so that a change the configuration refuses is never
// stored; when another writer changed the key in between, the store
// refuses the write and the change runs again on what that writer
// stored. After maxRetries the answer is ConflictException and this node
// applies the store's state.
func (c *Controller) change(ctx context.Context, id string, fn func(rec *apiRecord) (*apiRecord, any, *apiError)) (any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fileAPI(id) != nil {
		return nil, errFileManaged(id)
	}
	deployed := func(rec *apiRecord) (*apiRecord, any, *apiError) {
		next, out, aerr := fn(rec)
		if aerr == nil && next != nil {
			if err := c.deploy(next); err != nil {
				c.log.Error("control plane: auto-deploying", "api_id", id, "error", err)
				return nil, nil, errInternal
			}
		}
		return next, out, aerr
	}
	return changeLocked(c, ctx, apiKey(id), deployed, func(st *state, next *apiRecord) {
		st.v2 = replaced(st.v2, next, func(r *apiRecord) bool { return r.API.APIID == id })
	})
}

// changeRest is change for the REST API id (apigateway v1).
func (c *Controller) changeRest(ctx context.Context, id string, fn func(rec *restRecord) (*restRecord, any, *apiError)) (any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fileRestAPI(id) != nil {
		return nil, errFileManagedRest(id)
	}
	return changeLocked(c, ctx, restKey(id), fn, func(st *state, next *restRecord) {
		st.v1 = replaced(st.v1, next, func(r *restRecord) bool { return r.API.ID == id })
	})
}

// replaced returns recs without the record that is reports, with next
// (when not nil) last.
func replaced[R any](recs []*R, next *R, is func(*R) bool) []*R {
	recs = slices.DeleteFunc(recs, is)
	if next != nil {
		recs = append(recs, next)
	}
	return recs
}

// changeLocked is the read-modify-write of change, changeRest and the
// API key and usage plan changes, with c.mu held: with puts the new
// record (nil: deleted) among the store's others, to be applied.
func changeLocked[R any](c *Controller, ctx context.Context, key string, fn func(rec *R) (*R, any, *apiError),
	with func(st *state, next *R)) (any, *apiError) {
	for attempt := range maxRetries {
		var rec *R
		e, err := c.store.Get(ctx, key)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, c.storeFailed(ctx, err)
		default:
			rec = new(R)
			if err := json.Unmarshal(e.Value, rec); err != nil {
				return nil, c.storeFailed(ctx, err)
			}
		}
		next, out, apiErr := fn(rec)
		if apiErr != nil {
			if attempt > 0 { // an earlier attempt was applied and not stored
				c.resyncLocked(ctx)
			}
			return nil, apiErr
		}
		st, err := c.load(ctx)
		if err != nil {
			return nil, c.storeFailed(ctx, err)
		}
		with(st, next)
		if err := c.applyLocked(st); err != nil {
			c.resyncLocked(ctx)
			return nil, refused(err)
		}
		switch {
		case next == nil && rec == nil:
			err = nil
		case next == nil:
			err = c.store.Delete(ctx, key, e.Revision)
		case rec == nil:
			var b []byte
			if b, err = json.Marshal(next); err == nil {
				_, err = c.store.Create(ctx, key, b)
			}
		default:
			var b []byte
			if b, err = json.Marshal(next); err == nil {
				_, err = c.store.Update(ctx, key, b, e.Revision)
			}
		}
		switch {
		case err == nil:
			return out, nil
		case errors.Is(err, ErrRevision), errors.Is(err, ErrExists), errors.Is(err, ErrNotFound):
			c.log.Debug("control plane: concurrent change, retrying", "key", key)
			continue
		default:
			return nil, c.storeFailed(ctx, err)
		}
	}
	c.resyncLocked(ctx)
	return nil, errConflict
}

// storeFailed logs a Store failure, re-applies what the store holds, and
// returns the answer.
func (c *Controller) storeFailed(ctx context.Context, err error) *apiError {
	c.log.Error("control plane: store failed", "error", err)
	c.resyncLocked(ctx)
	return storeError(err)
}

// resyncLocked applies the Store's state again after a change that was
// applied and then not stored.
func (c *Controller) resyncLocked(ctx context.Context) {
	st, err := c.load(ctx)
	if err == nil {
		err = c.applyLocked(st)
	}
	if err != nil {
		c.log.Error("control plane: re-applying the store's APIs failed", "error", err)
	}
}

// deploy gives every autoDeploy stage of rec a deployment of rec as it is
// now, when the one it has froze something else, and drops the
// autoDeployed deployments that no stage serves any more.
func (c *Controller) deploy(rec *apiRecord) error {
	cur, err := json.Marshal(snapshot{Routes: rec.Routes, Integrations: rec.Integrations, Authorizers: rec.Authorizers})
	if err != nil {
		return err
	}
	for _, st := range rec.Stages {
		if !st.AutoDeploy {
			continue
		}
		if d := rec.deployment(st.DeploymentID); d != nil {
			if b, _ := json.Marshal(d.Snapshot); string(b) == string(cur) {
				continue
			}
		}
		d, err := c.newDeployment(rec, "", true)
		if err != nil {
			return err
		}
		st.DeploymentID = d.DeploymentID
		st.LastUpdatedDate = d.CreatedDate
	}
	rec.Deployments = slices.DeleteFunc(rec.Deployments, func(d *deploymentRecord) bool {
		return d.AutoDeployed && !slices.ContainsFunc(rec.Stages, func(st *wireStage) bool { return st.DeploymentID == d.DeploymentID })
	})
	return nil
}

// newDeployment adds a deployment of rec as it is now.
func (c *Controller) newDeployment(rec *apiRecord, description string, auto bool) (*deploymentRecord, error) {
	frozen, err := rec.snapshot()
	if err != nil {
		return nil, err
	}
	t := timestamp(c.now())
	d := &deploymentRecord{
		wireDeployment: wireDeployment{AutoDeployed: auto, CreatedDate: &t, DeploymentID: newID(6, func(id string) bool {
			return rec.deployment(id) != nil
		}), DeploymentStatus: "DEPLOYED", Description: description},
		Snapshot: frozen,
	}
	rec.Deployments = append(rec.Deployments, d)
	return d, nil
}

// snapshot returns a copy of rec's routes, integrations and authorizers.
func (rec *apiRecord) snapshot() (snapshot, error) {
	return deepCopy(snapshot{Routes: rec.Routes, Integrations: rec.Integrations, Authorizers: rec.Authorizers})
}

// refused turns an error of Apply into the answer: the validation
// messages, without the file positions and list indexes that mean nothing
// to a control-plane caller.
func refused(err error) *apiError {
	var list config.ErrorList
	if !errors.As(err, &list) {
		return badRequest("%s", err.Error())
	}
	msgs := make([]string, 0, len(list))
	for _, e := range list {
		msg := e.Msg
		if key := apiIndexRE.ReplaceAllString(e.Key, ""); key != "" {
			msg = key + ": " + msg
		}
		if !slices.Contains(msgs, msg) { // each stage repeats what its snapshot shares
			msgs = append(msgs, msg)
		}
	}
	return badRequest("%s", strings.Join(msgs, "; "))
}

var apiIndexRE = regexp.MustCompile(`^(apis|restApis|apiKeys|usagePlans|usagePlanKeys)\[\d+\]\.?`)

// fileAPI returns the file-managed API with the ID, or nil.
func (c *Controller) fileAPI(id string) *config.API {
	for i := range c.base.APIs {
		if c.base.APIs[i].APIID == id {
			return &c.base.APIs[i]
		}
	}
	return nil
}

// fileRestAPI returns the file-managed REST API with the ID, or nil.
func (c *Controller) fileRestAPI(id string) *config.RestAPI {
	for i := range c.base.RestAPIs {
		if c.base.RestAPIs[i].RestAPIID == id {
			return &c.base.RestAPIs[i]
		}
	}
	return nil
}

// fileRestAPIs returns the file's REST APIs, under the lock.
func (c *Controller) fileRestAPIs() []config.RestAPI {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.RestAPIs
}

// fileAPIs returns the file's APIs, under the lock.
func (c *Controller) fileAPIs() []config.API {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.APIs
}

// isTaken reports whether id is an API ID the file uses (apis or
// restApis).
func (c *Controller) isTaken(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fileAPI(id) != nil {
		return true
	}
	return slices.ContainsFunc(c.base.RestAPIs, func(a config.RestAPI) bool { return a.RestAPIID == id })
}

// newAPIID returns a new API ID that neither the file nor the store uses,
// in the one namespace REST and v2 APIs share (as in the file).
func (c *Controller) newAPIID(ctx context.Context) string {
	return newID(10, func(id string) bool {
		if c.isTaken(id) {
			return true
		}
		_, err1 := c.store.Get(ctx, apiKey(id))
		_, err2 := c.store.Get(ctx, restKey(id))
		return err1 == nil || err2 == nil
	})
}

// newID returns n random lowercase alphanumerics that used does not
// report as used.
func newID(n int, used func(string) bool) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	for {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		for i := range b {
			b[i] = alphabet[int(b[i])%len(alphabet)]
		}
		if used == nil || !used(string(b)) {
			return string(b)
		}
	}
}

// maxBody bounds a request body (ImportApi's documents are the largest).
const maxBody = 6 << 20

// ServeHTTP answers one control-plane request on the admin listener:
// the apigatewayv2 operations under /v2/; a request for an apigateway (v1)
// operation (see V1Prefixes) gets a BadRequestException naming it.
func (c *Controller) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", uuid.NewString())
	signed := sigv4.Signed(r)
	if !signed && !(c.cfg.AllowUnsigned && clientaddr.IsLoopback(r)) {
		errMissingKey.write(w)
		return
	}
	if signed {
		if err := c.verifier.CheckHeader(r); err != nil {
			authError(err).write(w)
			return
		}
	}
	if r.ContentLength > maxBody {
		errTooLarge.write(w)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	switch {
	case err != nil:
		badRequest("Cannot read the request body").write(w)
		return
	case len(body) > maxBody:
		errTooLarge.write(w)
		return
	}
	if signed {
		if _, err := c.verifier.Verify(r, body); err != nil {
			authError(err).write(w)
			return
		}
	}
	path := r.URL.EscapedPath()
	op, params, ok := match(r.Method, path, r.URL.Query())
	if !ok && !strings.HasPrefix(path, "/v2/") {
		name := modelOperationFor(modelOperationsV1, r.Method, path)
		if name != "" {
			badRequest("Portico does not support the apigateway (v1) operation %s yet", name).write(w)
			return
		}
		badRequest("No apigateway operation is %s %s", r.Method, r.URL.Path).write(w)
		return
	}
	if !ok {
		name := modelOperationFor(modelOperations, r.Method, path)
		if name == "" {
			badRequest("No apigatewayv2 operation is %s %s", r.Method, r.URL.Path).write(w)
			return
		}
		errUnsupported(name).write(w)
		return
	}
	in := &call{ctx: r.Context(), params: params, query: r.URL.Query(), header: r.Header, body: body}
	status, out, apiErr := op.handle(c, in)
	if apiErr != nil {
		c.log.Debug("control plane: refused", "operation", op.Name, "error", apiErr)
		apiErr.write(w)
		return
	}
	if r.Method != http.MethodGet {
		apiID := cmp.Or(params["apiId"], params["restapi_id"])
		switch a := out.(type) {
		case wireAPI:
			apiID = a.APIID
		case wireRestAPI:
			apiID = a.ID
		}
		c.log.Info("control plane change", "operation", op.Name, "api_id", apiID)
	}
	if out == nil {
		w.WriteHeader(status)
		return
	}
	if raw, ok := out.(rawAnswer); ok {
		raw.write(w, status)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		errInternal.write(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// authError is the 403 for a signature that fails, named as API Gateway
// names it.
func authError(err error) *apiError {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return errMissingKey
	}
	typ := "InvalidSignatureException"
	switch se.Kind {
	case sigv4.MissingAuthentication:
		typ = "MissingAuthenticationTokenException"
	case sigv4.IncompleteSignature:
		typ = "IncompleteSignatureException"
	case sigv4.UnknownAccessKey:
		typ = "UnrecognizedClientException"
	}
	return &apiError{Status: http.StatusForbidden, Type: typ, Message: se.Msg}
}
