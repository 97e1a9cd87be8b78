package control

import (
	"net/http"
	"slices"
	"strings"
)

// ---- authorizers

func (rec *apiRecord) authorizer(id string) (*wireAuthorizer, *apiError) {
	for _, a := range rec.Authorizers {
		if a.AuthorizerID == id {
			return a, nil
		}
	}
	return nil, errNoAuthorizer(id)
}

func createAuthorizer(c *Controller, in *call) (int, any, *apiError) {
	var au wireAuthorizer
	if err := decode(in.body, &au); err != nil {
		return 0, nil, err
	}
	if au.Name == "" {
		return 0, nil, badRequest("Name is required")
	}
	if au.AuthorizerType != "REQUEST" && au.AuthorizerType != "JWT" {
		return 0, nil, badRequest("Invalid authorizer type specified. Must be one of [REQUEST, JWT]")
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		au.AuthorizerID = newID(6, func(id string) bool { _, e := rec.authorizer(id); return e == nil })
		a := au
		rec.Authorizers = append(rec.Authorizers, &a)
		return a, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getAuthorizers(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]wireAuthorizer, 0, len(rec.Authorizers))
	for _, a := range rec.Authorizers {
		items = append(items, *a)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getAuthorizer(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	a, err := rec.authorizer(in.params["authorizerId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a, nil
}

func updateAuthorizer(c *Controller, in *call) (int, any, *apiError) {
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		a, err := rec.authorizer(in.params["authorizerId"])
		if err != nil {
			return nil, err
		}
		next := *a
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.AuthorizerID = a.AuthorizerID
		*a = next
		return next, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteAuthorizer(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		a, err := rec.authorizer(in.params["authorizerId"])
		if err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(rec.Routes, func(r *routeRecord) bool { return r.AuthorizerID == a.AuthorizerID }); i >= 0 {
			return nil, badRequest("Authorizer %s is used by route %s; change the route first", a.AuthorizerID, rec.Routes[i].RouteID)
		}
		rec.Authorizers = slices.DeleteFunc(rec.Authorizers, func(x *wireAuthorizer) bool { return x == a })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- tags

// taggable parses an ARN of an API (arn:aws:apigateway:REGION::/apis/ID)
// or of one of its stages (…/apis/ID/stages/NAME).
func taggable(arn string) (apiID, stage string, ok bool) {
	_, path, found := strings.Cut(arn, "::/apis/")
	if !found || !strings.HasPrefix(arn, "arn:") {
		return "", "", false
	}
	apiID, rest, _ := strings.Cut(path, "/")
	if rest == "" {
		return apiID, "", apiID != ""
	}
	stage, found = strings.CutPrefix(rest, "stages/")
	return apiID, stage, found && apiID != "" && stage != "" && !strings.Contains(stage, "/")
}

func tagsOf(rec *apiRecord, stage string) (*map[string]string, *apiError) {
	if stage == "" {
		return &rec.API.Tags, nil
	}
	st, err := rec.stage(stage)
	if err != nil {
		return nil, err
	}
	return &st.Tags, nil
}

func tagResource(c *Controller, in *call) (int, any, *apiError) {
	arn := in.params["resource-arn"]
	apiID, stage, ok := taggable(arn)
	if !ok {
		return 0, nil, badRequest("Invalid resource ARN %s: want arn:aws:apigateway:REGION::/apis/ID or .../apis/ID/stages/NAME", arn)
	}
	var req struct {
		Tags map[string]string `json:"tags"`
	}
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	in.params["apiId"] = apiID
	_, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		tags, err := tagsOf(rec, stage)
		if err != nil {
			return nil, err
		}
		if *tags == nil {
			*tags = make(map[string]string, len(req.Tags))
		}
		for k, v := range req.Tags {
			(*tags)[k] = v
		}
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, struct{}{}, nil
}

func untagResource(c *Controller, in *call) (int, any, *apiError) {
	arn := in.params["resource-arn"]
	apiID, stage, ok := taggable(arn)
	if !ok {
		return 0, nil, badRequest("Invalid resource ARN %s", arn)
	}
	in.params["apiId"] = apiID
	_, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		tags, err := tagsOf(rec, stage)
		if err != nil {
			return nil, err
		}
		for _, k := range in.query["tagKeys"] {
			delete(*tags, k)
		}
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func getTags(c *Controller, in *call) (int, any, *apiError) {
	arn := in.params["resource-arn"]
	apiID, stage, ok := taggable(arn)
	if !ok {
		return 0, nil, badRequest("Invalid resource ARN %s", arn)
	}
	rec, err := c.read(in.ctx, apiID)
	if err != nil {
		return 0, nil, err
	}
	tags, err := tagsOf(rec, stage)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Tags map[string]string `json:"tags"`
	}{*tags}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	return http.StatusOK, out, nil
}
