package control

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/config"
)

// jsonPatch applies apigateway's patchOperations to *dst: JSON-pointer
// paths ("~1" is "/", "~0" "~") under the top-level members that allowed
// names, with add, remove, replace, move, copy and test. Values come as
// strings on the wire; one that does not fit its member as a string (a
// boolean, a number) is taken as JSON.
func jsonPatch[T any](dst *T, ops []patchOp, allowed ...string) *apiError {
	for _, op := range ops {
		segs, err := pointer(op.Path, allowed)
		if err != nil {
			return errUnsupportedPatchPath(op.Op, op.Path)
		}
		var from []string
		if op.Op == "move" || op.Op == "copy" {
			if from, err = pointer(op.From, allowed); err != nil {
				return errUnsupportedPatchPath(op.Op, op.From)
			}
		}
		var next T
		var apiErr *apiError
		for _, value := range candidates(op.Value) {
			doc, derr := toDoc(dst)
			if derr != nil {
				return errBadJSON
			}
			if apiErr = applyOp(doc, op, segs, from, value); apiErr != nil {
				return apiErr
			}
			b, _ := json.Marshal(doc)
			next = *new(T)
			if uerr := json.Unmarshal(b, &next); uerr != nil {
				apiErr = badRequest("Invalid patch value %q for path %s: %s", op.Value, op.Path, jsonMessage(uerr))
				continue
			}
			apiErr = nil
			break
		}
		if apiErr != nil {
			return apiErr
		}
		*dst = next
	}
	return nil
}

// candidates are the values to try for a patch value: the string, then
// its JSON reading (true, 42) when it has one.
func candidates(v string) []any {
	out := []any{v}
	var j any
	if err := json.Unmarshal([]byte(v), &j); err == nil {
		if _, isString := j.(string); !isString {
			out = append(out, j)
		}
	}
	return out
}

func pointer(path string, allowed []string) ([]string, error) {
	if !strings.HasPrefix(path, "/") || path == "/" {
		return nil, fmt.Errorf("bad path")
	}
	segs := strings.Split(path[1:], "/")
	for i, s := range segs {
		segs[i] = unescapePointer(s)
	}
	if !slices.Contains(allowed, segs[0]) {
		return nil, fmt.Errorf("not allowed")
	}
	return segs, nil
}

func toDoc(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	doc := map[string]any{}
	return doc, json.Unmarshal(b, &doc)
}

// applyOp applies one operation to doc.
func applyOp(doc map[string]any, op patchOp, segs, from []string, value any) *apiError {
	switch op.Op {
	case "add", "replace":
		return set(doc, segs, value, op)
	case "remove":
		remove(doc, segs)
		return nil
	case "move", "copy":
		v, ok := lookup(doc, from)
		if !ok {
			return badRequest("Invalid patch path %s: nothing to %s", op.From, op.Op)
		}
		if op.Op == "move" {
			remove(doc, from)
		}
		return set(doc, segs, v, op)
	case "test":
		v, ok := lookup(doc, segs)
		if !ok || fmt.Sprint(v) != op.Value {
			return badRequest("Test operation failed: %s is not %q", op.Path, op.Value)
		}
		return nil
	}
	return errUnsupportedPatchPath(op.Op, op.Path)
}

// set puts value at segs, making the maps on the way.
func set(doc map[string]any, segs []string, value any, op patchOp) *apiError {
	cur := any(doc)
	for i, s := range segs {
		last := i == len(segs)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[s] = value
				return nil
			}
			if c[s] == nil {
				c[s] = map[string]any{}
			}
			cur = c[s]
		case []any:
			n, err := strconv.Atoi(s)
			if s == "-" && last && op.Op == "add" {
				setParent(doc, segs[:i], append(c, value))
				return nil
			}
			if err != nil || n < 0 || n >= len(c) {
				return errUnsupportedPatchPath(op.Op, op.Path)
			}
			if last {
				c[n] = value
				return nil
			}
			cur = c[n]
		default:
			return errUnsupportedPatchPath(op.Op, op.Path)
		}
	}
	return nil
}

func setParent(doc map[string]any, segs []string, v any) {
	parent, ok := lookup(doc, segs[:len(segs)-1])
	if m, isMap := parent.(map[string]any); ok && isMap {
		m[segs[len(segs)-1]] = v
	}
}

func lookup(doc map[string]any, segs []string) (any, bool) {
	cur := any(doc)
	for _, s := range segs {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[s]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n >= len(c) {
				return nil, false
			}
			cur = c[n]
		default:
			return nil, false
		}
	}
	return cur, true
}

func remove(doc map[string]any, segs []string) {
	if len(segs) == 1 {
		delete(doc, segs[0])
		return
	}
	parent, ok := lookup(doc, segs[:len(segs)-1])
	if !ok {
		return
	}
	last := segs[len(segs)-1]
	switch c := parent.(type) {
	case map[string]any:
		delete(c, last)
	case []any:
		if n, err := strconv.Atoi(last); err == nil && n >= 0 && n < len(c) {
			setParent(doc, segs[:len(segs)-1], slices.Delete(slices.Clone(c), n, n+1))
		}
	}
}

// ---- the update operations

func updateRestAPI(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		a := rec.API
		var rest []patchOp
		for _, op := range ops { // binaryMediaTypes: the type is in the path
			t, ok := strings.CutPrefix(op.Path, "/binaryMediaTypes/")
			if !ok {
				rest = append(rest, op)
				continue
			}
			t = unescapePointer(t)
			switch op.Op {
			case "add":
				if !slices.Contains(a.BinaryMediaTypes, t) {
					a.BinaryMediaTypes = append(slices.Clone(a.BinaryMediaTypes), t)
				}
			case "remove":
				a.BinaryMediaTypes = slices.DeleteFunc(slices.Clone(a.BinaryMediaTypes), func(x string) bool { return x == t })
			default:
				return nil, errUnsupportedPatchPath(op.Op, op.Path)
			}
		}
		if err := jsonPatch(&a, rest, "name", "description", "apiKeySource", "minimumCompressionSize", "policy",
			"disableExecuteApiEndpoint", "version", "endpointConfiguration"); err != nil {
			return nil, err
		}
		if a.Name == "" {
			return nil, badRequest("Invalid REST API name specified")
		}
		if a.APIKeySource != "HEADER" && a.APIKeySource != "AUTHORIZER" {
			return nil, badRequest("Invalid API Key source specified: %s", a.APIKeySource)
		}
		a.ID, a.CreatedDate, a.RootResourceID, a.Tags = rec.API.ID, rec.API.CreatedDate, rec.API.RootResourceID, rec.API.Tags
		rec.API = a
		return a, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func updateMethod(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		_, m, err := method(rec, in)
		if err != nil {
			return nil, err
		}
		next := *m
		if err := jsonPatch(&next, ops, "authorizationType", "authorizerId", "apiKeyRequired", "operationName",
			"requestValidatorId", "requestParameters", "requestModels", "authorizationScopes"); err != nil {
			return nil, err
		}
		switch next.AuthorizationType {
		case "NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS":
		default:
			return nil, badRequest("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
		}
		next.HTTPMethod, next.MethodIntegration, next.MethodResponses = m.HTTPMethod, m.MethodIntegration, m.MethodResponses
		*m = next
		return m, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func updateMethodResponse(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		_, m, err := method(rec, in)
		if err != nil {
			return nil, err
		}
		mr := m.MethodResponses[in.params["status_code"]]
		if mr == nil {
			return nil, errNoResponseV1
		}
		next := *mr
		if err := jsonPatch(&next, ops, "responseParameters", "responseModels"); err != nil {
			return nil, err
		}
		next.StatusCode = mr.StatusCode
		*mr = next
		return mr, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func updateIntegrationV1(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		i, err := integration(rec, in)
		if err != nil {
			return nil, err
		}
		next := *i
		if err := jsonPatch(&next, ops, "type", "httpMethod", "uri", "connectionType", "connectionId", "credentials",
			"requestParameters", "requestTemplates", "passthroughBehavior", "contentHandling", "timeoutInMillis",
			"cacheNamespace", "cacheKeyParameters", "tlsConfig"); err != nil {
			return nil, err
		}
		switch next.Type {
		case "AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK":
		default:
			return nil, badRequest("Invalid integration type specified. Valid options are HTTP,HTTP_PROXY,AWS,AWS_PROXY,MOCK")
		}
		switch next.PassthroughBehavior {
		case "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
		default:
			return nil, badRequest("Invalid passthrough behavior specified: %s", next.PassthroughBehavior)
		}
		if next.TimeoutInMillis < 50 || next.TimeoutInMillis > 29000 {
			return nil, badRequest("Timeout should be between 50 ms and 29000 ms")
		}
		next.IntegrationResponses = i.IntegrationResponses
		*i = next
		return i, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func updateIntegrationResponseV1(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		i, err := integration(rec, in)
		if err != nil {
			return nil, err
		}
		ir := i.IntegrationResponses[in.params["status_code"]]
		if ir == nil {
			return nil, errNoResponseV1
		}
		next := *ir
		if err := jsonPatch(&next, ops, "selectionPattern", "responseParameters", "responseTemplates", "contentHandling"); err != nil {
			return nil, err
		}
		next.StatusCode = ir.StatusCode
		*ir = next
		return ir, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func updateDeploymentV1(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		d := rec.deployment(in.params["deployment_id"])
		if d == nil {
			return nil, errNoDeploymentV1
		}
		next := d.wireRestDeployment
		if err := jsonPatch(&next, ops, "description"); err != nil {
			return nil, err
		}
		d.Description = next.Description
		return d.wireRestDeployment, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

// updateResource takes /pathPart and /parentId (replace): the resource
// and its descendants move to the new path.
func updateResource(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		r := rec.resource(in.params["resource_id"])
		switch {
		case r == nil:
			return nil, errNoResource
		case r.Path == "/":
			return nil, badRequest("Cannot update the root resource")
		}
		next := wireResource{ParentID: r.ParentID, PathPart: r.PathPart}
		if err := jsonPatch(&next, ops, "pathPart", "parentId"); err != nil {
			return nil, err
		}
		if msg := config.CheckRestPathPart(next.PathPart); msg != "" {
			return nil, badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace: %s", msg)
		}
		parent := rec.resource(next.ParentID)
		switch {
		case parent == nil:
			return nil, errNoResource
		case parent.Path == r.Path || strings.HasPrefix(parent.Path, r.Path+"/"):
			return nil, badRequest("Cannot move a resource under itself")
		case strings.HasSuffix(parent.PathPart, "+}"):
			return nil, badRequest("Cannot create a child of a resource with a greedy path variable: %s", parent.PathPart)
		case strings.HasSuffix(next.PathPart, "+}") && slices.ContainsFunc(rec.Resources, func(x *wireResource) bool { return x.ParentID == r.ID }):
			return nil, badRequest("A resource with a greedy path variable cannot have children")
		}
		for _, s := range rec.Resources {
			if s.ParentID != parent.ID || s.ID == r.ID {
				continue
			}
			if s.PathPart == next.PathPart {
				return nil, conflict("Another resource with the same parent already has this name: %s", next.PathPart)
			}
			if strings.HasPrefix(s.PathPart, "{") && strings.HasPrefix(next.PathPart, "{") {
				return nil, badRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", s.PathPart)
			}
		}
		oldPath, newPath := r.Path, strings.TrimSuffix(parent.Path, "/")+"/"+next.PathPart
		for _, x := range rec.Resources {
			if x.Path == oldPath || strings.HasPrefix(x.Path, oldPath+"/") {
				x.Path = newPath + strings.TrimPrefix(x.Path, oldPath)
			}
		}
		r.ParentID, r.PathPart = parent.ID, next.PathPart
		return r, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}
