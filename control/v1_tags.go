package control

import (
	"net/http"
	"regexp"
)

// Tags of REST APIs and their stages (apigateway v1), named by ARN:
// arn:aws:apigateway:REGION::/restapis/ID or …/restapis/ID/stages/NAME.

var restARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:[a-z0-9-]*::/restapis/([^/]+)(?:/stages/([^/]+))?$`)

// restTaggable splits a REST API's ARN into the API's ID and the stage
// ("" for the API itself).
func restTaggable(arn string) (id, stage string, ok bool) {
	m := restARNRE.FindStringSubmatch(arn)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// restTagsOf returns the tags of the API or its stage.
func restTagsOf(rec *restRecord, stage string) (*map[string]string, *apiError) {
	if stage == "" {
		return &rec.API.Tags, nil
	}
	st := rec.stage(stage)
	if st == nil {
		return nil, errNoStageV1
	}
	return &st.Tags, nil
}

func badRestARN(arn string) *apiError {
	return badRequest("Invalid resource ARN %s: want arn:aws:apigateway:REGION::/restapis/ID or .../restapis/ID/stages/NAME", arn)
}

func tagResourceV1(c *Controller, in *call) (int, any, *apiError) {
	arn := in.params["resource_arn"]
	id, stage, ok := restTaggable(arn)
	if !ok {
		return 0, nil, badRestARN(arn)
	}
	var req struct {
		Tags map[string]string `json:"tags"`
	}
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	in.params["restapi_id"] = id
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		tags, err := restTagsOf(rec, stage)
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
	return http.StatusNoContent, nil, nil
}

func untagResourceV1(c *Controller, in *call) (int, any, *apiError) {
	arn := in.params["resource_arn"]
	id, stage, ok := restTaggable(arn)
	if !ok {
		return 0, nil, badRestARN(arn)
	}
	in.params["restapi_id"] = id
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		tags, err := restTagsOf(rec, stage)
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

func getTagsV1(c *Controller, in *call) (int, any, *apiError) {
	arn := in.params["resource_arn"]
	id, stage, ok := restTaggable(arn)
	if !ok {
		return 0, nil, badRestARN(arn)
	}
	in.params["restapi_id"] = id
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	tags, err := restTagsOf(rec, stage)
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
