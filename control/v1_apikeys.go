package control

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portico-gw/portico/config"
)

// API keys, usage plans and usage plan keys (apigateway v1: /apikeys,
// /usageplans). Each API key is one record, key v1.apikeys.{id}; each
// usage plan one record, key v1.usageplans.{id}, with the IDs of its
// keys. They are composed into the configuration's top-level apiKeys,
// usagePlans and usagePlanKeys, which the data plane serves (package
// usage). The file's keys and plans are shown and not changed.

// routesV1Usage are the API key, usage plan and usage operations.
var routesV1Usage = []route{
	{Operation{"CreateApiKey", "POST", "/apikeys"}, createAPIKey},
	{Operation{"ImportApiKeys", "POST", "/apikeys?mode=import"}, importAPIKeys},
	{Operation{"GetApiKeys", "GET", "/apikeys"}, getAPIKeys},
	{Operation{"GetApiKey", "GET", "/apikeys/{api_Key}"}, getAPIKey},
	{Operation{"UpdateApiKey", "PATCH", "/apikeys/{api_Key}"}, updateAPIKey},
	{Operation{"DeleteApiKey", "DELETE", "/apikeys/{api_Key}"}, deleteAPIKey},
}

const (
	apiKeyPrefix    = "v1.apikeys."
	usagePlanPrefix = "v1.usageplans."
)

// wireAPIKey is the model's ApiKey; the record keeps its value, which
// the answers show only when asked (includeValue).
type wireAPIKey struct {
	ID              string            `json:"id"`
	Value           string            `json:"value,omitempty"`
	Name            string            `json:"name,omitempty"`
	CustomerID      string            `json:"customerId,omitempty"`
	Description     string            `json:"description,omitempty"`
	Enabled         bool              `json:"enabled"`
	CreatedDate     *epoch            `json:"createdDate,omitempty"`
	LastUpdatedDate *epoch            `json:"lastUpdatedDate,omitempty"`
	StageKeys       []string          `json:"stageKeys"`
	Tags            map[string]string `json:"tags,omitempty"`
}

// apiKeyRecord is an API key as the Store keeps it.
type apiKeyRecord = wireAPIKey

func (c *Controller) apiKeyRecords(ctx context.Context) ([]*apiKeyRecord, error) {
	return listRecords(ctx, c.store, apiKeyPrefix, func(r *apiKeyRecord) time.Time { return r.CreatedDate.time() })
}

// shown returns k as an answer shows it: without its value unless
// withValue.
func (k wireAPIKey) shown(withValue bool) wireAPIKey {
	if !withValue {
		k.Value = ""
	}
	if k.StageKeys == nil {
		k.StageKeys = []string{}
	}
	return k
}

// fileAPIKey is the view of a file's API key.
func fileAPIKey(k *config.APIKey) wireAPIKey {
	return wireAPIKey{ID: k.ID, Value: k.Value, Name: k.Name, Description: k.Description, Enabled: k.IsEnabled(),
		StageKeys: slices.Clone(k.StageKeys)}
}

// allAPIKeys returns the file's API keys, then the Store's.
func (c *Controller) allAPIKeys(ctx context.Context) ([]wireAPIKey, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.apiKeysLocked(ctx)
}

// apiKeysLocked is allAPIKeys with c.mu held.
func (c *Controller) apiKeysLocked(ctx context.Context) ([]wireAPIKey, *apiError) {
	var out []wireAPIKey
	for i := range c.base.APIKeys {
		out = append(out, fileAPIKey(&c.base.APIKeys[i]))
	}
	recs, err := c.apiKeyRecords(ctx)
	if err != nil {
		c.log.Error("control plane: store failed", "error", err)
		return nil, errStore
	}
	for _, r := range recs {
		out = append(out, *r)
	}
	return out, nil
}

// findAPIKey returns the API key id, the file's or the Store's.
func (c *Controller) findAPIKey(ctx context.Context, id string) (*wireAPIKey, *apiError) {
	keys, err := c.allAPIKeys(ctx)
	if err != nil {
		return nil, err
	}
	for i := range keys {
		if keys[i].ID == id {
			return &keys[i], nil
		}
	}
	return nil, errNoAPIKey
}

// fileAPIKeyID reports whether the file has an API key with the ID;
// c.mu held.
func (c *Controller) fileAPIKeyID(id string) bool {
	return slices.ContainsFunc(c.base.APIKeys, func(k config.APIKey) bool { return k.ID == id })
}

// changeAPIKey is change for the API key id.
func (c *Controller) changeAPIKey(ctx context.Context, id string, fn func(rec *apiKeyRecord) (*apiKeyRecord, any, *apiError)) (any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fileAPIKeyID(id) {
		return nil, badRequest("API key %s is managed by the configuration file; change it there (the control plane changes only the keys it created)", id)
	}
	return changeLocked(c, ctx, apiKeyPrefix+id, fn, func(st *state, next *apiKeyRecord) {
		st.keys = replaced(st.keys, next, func(r *apiKeyRecord) bool { return r.ID == id })
	})
}

// newKeyValue returns a new API key value as AWS makes them: 40
// alphanumerics.
func newKeyValue() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 40)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// checkKeyValue checks an API key value given by the caller.
func checkKeyValue(v string) *apiError {
	switch n := utf8.RuneCountInString(v); {
	case n < 20:
		return badRequest("API Key value should be at least 20 characters")
	case n > 128:
		return badRequest("API Key value should be at most 128 characters")
	}
	return nil
}

// valueTakenLocked reports whether another API key than id has the
// value; c.mu held.
func (c *Controller) valueTakenLocked(ctx context.Context, value, id string) (bool, *apiError) {
	keys, err := c.apiKeysLocked(ctx)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(keys, func(k wireAPIKey) bool { return k.Value == value && k.ID != id }), nil
}

// newKeyID returns a new API key or usage plan ID: 10 lowercase
// alphanumerics that no record of prefix has.
func (c *Controller) newKeyID(ctx context.Context, prefix string) string {
	return newID(10, func(id string) bool {
		_, err := c.store.Get(ctx, prefix+id)
		return err == nil
	})
}

type stageKeyInput struct {
	RestAPIID string `json:"restApiId"`
	StageName string `json:"stageName"`
}

func createAPIKey(c *Controller, in *call) (int, any, *apiError) {
	if in.query.Get("mode") == "import" { // ImportApiKeys shares the path
		return importAPIKeys(c, in)
	}
	var req struct {
		Name        string            `json:"name"`
		Description string            `json:"description"`
		Enabled     bool              `json:"enabled"`
		Value       string            `json:"value"`
		CustomerID  string            `json:"customerId"`
		StageKeys   []stageKeyInput   `json:"stageKeys"`
		Tags        map[string]string `json:"tags"`
	}
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	if req.Value == "" {
		req.Value = newKeyValue()
	} else if err := checkKeyValue(req.Value); err != nil {
		return 0, nil, err
	}
	k := &apiKeyRecord{ID: c.newKeyID(in.ctx, apiKeyPrefix), Value: req.Value, Name: req.Name, Description: req.Description,
		Enabled: req.Enabled, CustomerID: req.CustomerID, Tags: req.Tags, StageKeys: []string{}}
	for _, sk := range req.StageKeys {
		if err := c.checkStageKey(in.ctx, sk.RestAPIID, sk.StageName); err != nil {
			return 0, nil, err
		}
		k.StageKeys = append(k.StageKeys, sk.RestAPIID+"/"+sk.StageName)
	}
	k.CreatedDate = c.epochNow()
	k.LastUpdatedDate = k.CreatedDate
	_, err := c.changeAPIKey(in.ctx, k.ID, func(cur *apiKeyRecord) (*apiKeyRecord, any, *apiError) {
		if taken, err := c.valueTakenLocked(in.ctx, k.Value, ""); err != nil {
			return nil, nil, err
		} else if cur != nil || taken {
			return nil, nil, errKeyExists
		}
		return k, nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, k.shown(true), nil
}

// checkStageKey checks that the REST API has the stage.
func (c *Controller) checkStageKey(ctx context.Context, restAPIID, stage string) *apiError {
	rec, err := c.readRest(&call{ctx: ctx, params: map[string]string{"restapi_id": restAPIID}})
	if err != nil {
		return errNoStageV1
	}
	if rec.stage(stage) == nil {
		return errNoStageV1
	}
	return nil
}

func getAPIKeys(c *Controller, in *call) (int, any, *apiError) {
	keys, err := c.allAPIKeys(in.ctx)
	if err != nil {
		return 0, nil, err
	}
	withValues := in.query.Get("includeValues") == "true"
	name, customer := in.query.Get("name"), in.query.Get("customerId")
	items := []wireAPIKey{}
	for _, k := range keys {
		if !strings.HasPrefix(k.Name, name) || customer != "" && k.CustomerID != customer {
			continue
		}
		items = append(items, k.shown(withValues))
	}
	p, err := paginateV1(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getAPIKey(c *Controller, in *call) (int, any, *apiError) {
	k, err := c.findAPIKey(in.ctx, in.params["api_Key"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, k.shown(in.query.Get("includeValue") == "true"), nil
}

func updateAPIKey(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	id := in.params["api_Key"]
	// Stage keys name stages of REST APIs: checked before the change.
	for _, op := range ops {
		if op.Path == "/stages" && op.Op == "add" {
			api, stage, _ := strings.Cut(op.Value, "/")
			if err := c.checkStageKey(in.ctx, api, stage); err != nil {
				return 0, nil, err
			}
		}
	}
	out, err := c.changeAPIKey(in.ctx, id, func(rec *apiKeyRecord) (*apiKeyRecord, any, *apiError) {
		if rec == nil {
			return nil, nil, errNoAPIKey
		}
		for _, op := range ops {
			if err := patchAPIKey(rec, op); err != nil {
				return nil, nil, err
			}
		}
		rec.LastUpdatedDate = c.epochNow()
		return rec, rec.shown(false), nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

// patchAPIKey applies one patch operation: replace /name, /description,
// /customerId, /enabled; add or remove /stages ("{restApiId}/{stage}").
func patchAPIKey(k *apiKeyRecord, op patchOp) *apiError {
	if op.Path == "/stages" {
		switch op.Op {
		case "add":
			if !slices.Contains(k.StageKeys, op.Value) {
				k.StageKeys = append(k.StageKeys, op.Value)
			}
		case "remove":
			k.StageKeys = slices.DeleteFunc(k.StageKeys, func(s string) bool { return s == op.Value })
		default:
			return errUnsupportedPatchPath(op.Op, op.Path)
		}
		return nil
	}
	if op.Op != "replace" {
		return errUnsupportedPatchPath(op.Op, op.Path)
	}
	switch op.Path {
	case "/name":
		k.Name = op.Value
	case "/description":
		k.Description = op.Value
	case "/customerId":
		k.CustomerID = op.Value
	case "/enabled":
		b, err := strconv.ParseBool(op.Value)
		if err != nil {
			return badRequest("Invalid value %q for %s: want true or false", op.Value, op.Path)
		}
		k.Enabled = b
	default:
		return errUnsupportedPatchPath(op.Op, op.Path)
	}
	return nil
}

func deleteAPIKey(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.changeAPIKey(in.ctx, in.params["api_Key"], func(rec *apiKeyRecord) (*apiKeyRecord, any, *apiError) {
		if rec == nil {
			return nil, nil, errNoAPIKey
		}
		return nil, nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

var (
	errNoAPIKey  = notFound("", "Invalid API Key identifier specified")
	errKeyExists = conflict("API Key already exists")
)

// importAPIKeys is ImportApiKeys (POST /apikeys?mode=import&format=csv):
// AWS's API key file, a CSV whose header names (any case, any order)
// Name and Key, and maybe Description, Enabled (default true) and
// UsagePlanIds (IDs separated by commas, quoted). A key whose value a
// key of the control plane has already is overwritten; a row that
// cannot be imported is a warning, or fails the import with
// failonwarnings=true.
func importAPIKeys(c *Controller, in *call) (int, any, *apiError) {
	if f := in.query.Get("format"); f != "csv" {
		return 0, nil, badRequest("Invalid format specified: %q; want csv", f)
	}
	failOnWarnings := in.query.Get("failonwarnings") == "true"
	rows, err := csv.NewReader(bytes.NewReader(in.body)).ReadAll()
	if err != nil {
		return 0, nil, badRequest("Invalid API key file: %s", err.Error())
	}
	if len(rows) == 0 {
		return 0, nil, badRequest("Invalid API key file: it is empty")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	if _, ok := col["name"]; !ok {
		return 0, nil, badRequest("Invalid API key file: the header has no Name column")
	}
	if _, ok := col["key"]; !ok {
		return 0, nil, badRequest("Invalid API key file: the header has no Key column")
	}
	field := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	type imported struct {
		key   apiKeyRecord
		plans []string
	}
	var pending []imported
	out := struct {
		IDs      []string `json:"ids"`
		Warnings []string `json:"warnings,omitempty"`
	}{IDs: []string{}}
	for n, row := range rows[1:] {
		line := n + 2
		k := apiKeyRecord{Name: field(row, "name"), Value: field(row, "key"), Description: field(row, "description"), Enabled: true}
		if err := checkKeyValue(k.Value); err != nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("Line %d: %s", line, err.Message))
			continue
		}
		if utf8.RuneCountInString(k.Name) > 1024 {
			out.Warnings = append(out.Warnings, fmt.Sprintf("Line %d: API Key name should be at most 1024 characters", line))
			continue
		}
		if e := field(row, "enabled"); e != "" {
			b, err := strconv.ParseBool(strings.ToLower(e))
			if err != nil {
				out.Warnings = append(out.Warnings, fmt.Sprintf("Line %d: Invalid Enabled value %q: want true or false", line, e))
				continue
			}
			k.Enabled = b
		}
		var plans []string
		for _, id := range strings.Split(strings.Trim(field(row, "usageplanids"), `'"`), ",") {
			if id = strings.TrimSpace(id); id != "" {
				plans = append(plans, id)
			}
		}
		pending = append(pending, imported{key: k, plans: plans})
	}
	if failOnWarnings && len(out.Warnings) > 0 {
		return 0, nil, badRequest("Invalid API key file: %s", strings.Join(out.Warnings, "; "))
	}
	for _, im := range pending {
		for _, p := range im.plans {
			if _, err := c.findPlan(in.ctx, p); err != nil {
				return 0, nil, badRequest("Invalid Usage Plan ID specified: %s", p)
			}
		}
	}
	for _, im := range pending {
		id, err := c.importKey(in.ctx, im.key)
		if err != nil {
			return 0, nil, err
		}
		out.IDs = append(out.IDs, id)
		for _, p := range im.plans {
			_, err := c.changePlan(in.ctx, p, func(rec *usagePlanRecord) (*usagePlanRecord, any, *apiError) {
				if rec == nil {
					return nil, nil, errNoUsagePlan
				}
				if !slices.Contains(rec.Keys, id) {
					rec.Keys = append(rec.Keys, id)
				}
				return rec, nil, nil
			})
			if err != nil {
				return 0, nil, err
			}
		}
	}
	return http.StatusCreated, out, nil
}

// importKey creates the imported key, or overwrites the control plane's
// key with its value, and returns its ID.
func (c *Controller) importKey(ctx context.Context, k apiKeyRecord) (string, *apiError) {
	keys, err := c.allAPIKeys(ctx)
	if err != nil {
		return "", err
	}
	id := c.newKeyID(ctx, apiKeyPrefix)
	if i := slices.IndexFunc(keys, func(x wireAPIKey) bool { return x.Value == k.Value }); i >= 0 {
		id = keys[i].ID // changeAPIKey refuses a file's key
	}
	_, err = c.changeAPIKey(ctx, id, func(cur *apiKeyRecord) (*apiKeyRecord, any, *apiError) {
		now := c.epochNow()
		if cur == nil {
			if taken, err := c.valueTakenLocked(ctx, k.Value, id); err != nil {
				return nil, nil, err
			} else if taken {
				return nil, nil, errKeyExists
			}
			next := k
			next.ID, next.CreatedDate, next.LastUpdatedDate, next.StageKeys = id, now, now, []string{}
			return &next, nil, nil
		}
		if cur.Value != k.Value { // changed in between
			return nil, nil, errKeyExists
		}
		cur.Name, cur.Description, cur.Enabled, cur.LastUpdatedDate = k.Name, k.Description, k.Enabled, now
		return cur, nil, nil
	})
	return id, err
}
