package control

import (
	"encoding/json"
	"net/http"
	"slices"
)

// The models and request validators of a REST API (apigateway v1). Like
// the resources, they are served from a deployment's snapshot; the file's
// checks (a model's schema compiles, a method names known ones) run when a
// deployment is applied.

// wireRestModel is the model's Model.
type wireRestModel struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Schema      string `json:"schema,omitempty"`
	ContentType string `json:"contentType"`
}

// wireRequestValidator is the model's RequestValidator.
type wireRequestValidator struct {
	ID                        string `json:"id"`
	Name                      string `json:"name"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

var (
	errNoModel            = notFound("", "Invalid model name specified")
	errNoRequestValidator = notFound("", "Invalid Request Validator identifier specified")
)

func (rec *restRecord) model(name string) *wireRestModel {
	for _, m := range rec.Models {
		if m.Name == name {
			return m
		}
	}
	return nil
}

func (rec *restRecord) requestValidator(id string) *wireRequestValidator {
	for _, v := range rec.RequestValidators {
		if v.ID == id {
			return v
		}
	}
	return nil
}

func checkModel(m *wireRestModel) *apiError {
	if m.Name == "" || !isAlnum(m.Name) {
		return badRequest("Invalid model name specified: must be alphanumeric")
	}
	if m.ContentType == "" {
		return badRequest("Invalid content type specified: contentType is required")
	}
	if m.Schema != "" && !json.Valid([]byte(m.Schema)) {
		return badRequest("Invalid model specified: Validation Result: the schema is not JSON")
	}
	return nil
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func createModelV1(c *Controller, in *call) (int, any, *apiError) {
	var req wireRestModel
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	if err := checkModel(&req); err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		if rec.model(req.Name) != nil {
			return nil, conflict("Model name already exists for this REST API")
		}
		m := req
		m.ID = newID(6, func(id string) bool {
			return slices.ContainsFunc(rec.Models, func(x *wireRestModel) bool { return x.ID == id })
		})
		rec.Models = append(rec.Models, &m)
		return &m, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getModelsV1(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	p, err := paginateV1(slices.Clone(rec.Models), in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getModelV1(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	m := rec.model(in.params["model_name"])
	if m == nil {
		return 0, nil, errNoModel
	}
	return http.StatusOK, m, nil
}

func updateModelV1(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		m := rec.model(in.params["model_name"])
		if m == nil {
			return nil, errNoModel
		}
		next := *m
		if err := jsonPatch(&next, ops, "schema", "description"); err != nil {
			return nil, err
		}
		if err := checkModel(&next); err != nil {
			return nil, err
		}
		*m = next
		return m, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteModelV1(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		name := in.params["model_name"]
		if rec.model(name) == nil {
			return nil, errNoModel
		}
		for _, r := range rec.Resources {
			for _, m := range r.ResourceMethods {
				used := slices.Contains(slices.Collect(mapValues(m.RequestModels)), name)
				for _, mr := range m.MethodResponses {
					used = used || slices.Contains(slices.Collect(mapValues(mr.ResponseModels)), name)
				}
				if used {
					return nil, conflict("Cannot delete model '%s', is referenced in method request or method response: %s %s", name, m.HTTPMethod, r.Path)
				}
			}
		}
		rec.Models = slices.DeleteFunc(rec.Models, func(m *wireRestModel) bool { return m.Name == name })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

func mapValues(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// ---- request validators

func createRequestValidator(c *Controller, in *call) (int, any, *apiError) {
	var req wireRequestValidator
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		v := req
		v.ID = newID(6, func(id string) bool { return rec.requestValidator(id) != nil })
		if v.Name == "" {
			v.Name = v.ID
		}
		if slices.ContainsFunc(rec.RequestValidators, func(x *wireRequestValidator) bool { return x.Name == v.Name }) {
			return nil, conflict("Validator with name '%s' already exists", v.Name)
		}
		rec.RequestValidators = append(rec.RequestValidators, &v)
		return &v, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getRequestValidators(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	p, err := paginateV1(slices.Clone(rec.RequestValidators), in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getRequestValidator(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	v := rec.requestValidator(in.params["requestvalidator_id"])
	if v == nil {
		return 0, nil, errNoRequestValidator
	}
	return http.StatusOK, v, nil
}

func updateRequestValidator(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		v := rec.requestValidator(in.params["requestvalidator_id"])
		if v == nil {
			return nil, errNoRequestValidator
		}
		next := *v
		if err := jsonPatch(&next, ops, "name", "validateRequestBody", "validateRequestParameters"); err != nil {
			return nil, err
		}
		next.ID = v.ID
		*v = next
		return v, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteRequestValidator(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		id := in.params["requestvalidator_id"]
		if rec.requestValidator(id) == nil {
			return nil, errNoRequestValidator
		}
		for _, r := range rec.Resources {
			for _, m := range r.ResourceMethods {
				if m.RequestValidatorID == id {
					return nil, conflict("Cannot delete request validator '%s', is referenced in method: %s %s", id, m.HTTPMethod, r.Path)
				}
			}
		}
		rec.RequestValidators = slices.DeleteFunc(rec.RequestValidators, func(v *wireRequestValidator) bool { return v.ID == id })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}
