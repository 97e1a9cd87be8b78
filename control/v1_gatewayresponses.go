package control

import (
	"net/http"
	"slices"

	"github.com/portico-gw/portico/config"
)

// The gateway responses of a REST API (apigateway v1): the 21 types, each
// with AWS's default until put-gateway-response overrides it. Like the
// resources, they are served from a deployment's snapshot.

// gatewayResponseStatus is each type's default status ("" for
// DEFAULT_4XX and DEFAULT_5XX, which have none), as AWS documents them.
var gatewayResponseStatus = map[string]string{
	"ACCESS_DENIED": "403", "API_CONFIGURATION_ERROR": "500", "AUTHORIZER_CONFIGURATION_ERROR": "500",
	"AUTHORIZER_FAILURE": "500", "BAD_REQUEST_PARAMETERS": "400", "BAD_REQUEST_BODY": "400", "DEFAULT_4XX": "",
	"DEFAULT_5XX": "", "EXPIRED_TOKEN": "403", "INTEGRATION_FAILURE": "504", "INTEGRATION_TIMEOUT": "504",
	"INVALID_API_KEY": "403", "INVALID_SIGNATURE": "403", "MISSING_AUTHENTICATION_TOKEN": "403", "QUOTA_EXCEEDED": "429",
	"REQUEST_TOO_LARGE": "413", "RESOURCE_NOT_FOUND": "404", "THROTTLED": "429", "UNAUTHORIZED": "401",
	"UNSUPPORTED_MEDIA_TYPE": "415", "WAF_FILTERED": "403",
}

// defaultGatewayResponse is the type's response as AWS shows it before
// any override.
func defaultGatewayResponse(typ string) *wireGatewayResponse {
	return &wireGatewayResponse{ResponseType: typ, StatusCode: gatewayResponseStatus[typ], DefaultResponse: true,
		ResponseParameters: map[string]string{},
		ResponseTemplates:  map[string]string{"application/json": `{"message":$context.error.messageString}`}}
}

func (rec *restRecord) gatewayResponse(typ string) *wireGatewayResponse {
	for _, g := range rec.GatewayResponses {
		if g.ResponseType == typ {
			return g
		}
	}
	return nil
}

// shownGatewayResponse is the type's override, or its default.
func (rec *restRecord) shownGatewayResponse(typ string) *wireGatewayResponse {
	if g := rec.gatewayResponse(typ); g != nil {
		out := *g
		if out.ResponseParameters == nil {
			out.ResponseParameters = map[string]string{}
		}
		if out.ResponseTemplates == nil {
			out.ResponseTemplates = map[string]string{}
		}
		return &out
	}
	return defaultGatewayResponse(typ)
}

func checkResponseType(typ string) *apiError {
	if !slices.Contains(config.GatewayResponseTypes, typ) {
		return badRequest("Invalid response type specified: %s", typ)
	}
	return nil
}

func getGatewayResponses(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	items := make([]*wireGatewayResponse, 0, len(config.GatewayResponseTypes))
	for _, typ := range config.GatewayResponseTypes {
		items = append(items, rec.shownGatewayResponse(typ))
	}
	p, err := paginateV1(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getGatewayResponse(c *Controller, in *call) (int, any, *apiError) {
	typ := in.params["response_type"]
	if err := checkResponseType(typ); err != nil {
		return 0, nil, err
	}
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, rec.shownGatewayResponse(typ), nil
}

func putGatewayResponse(c *Controller, in *call) (int, any, *apiError) {
	typ := in.params["response_type"]
	if err := checkResponseType(typ); err != nil {
		return 0, nil, err
	}
	var req wireGatewayResponse
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	if req.StatusCode != "" && !statusCodeOK(req.StatusCode) {
		return 0, nil, badRequest("Invalid status code specified: %s", req.StatusCode)
	}
	req.ResponseType, req.DefaultResponse = typ, false
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		g := req
		rec.GatewayResponses = slices.DeleteFunc(rec.GatewayResponses, func(x *wireGatewayResponse) bool { return x.ResponseType == typ })
		rec.GatewayResponses = append(rec.GatewayResponses, &g)
		return rec.shownGatewayResponse(typ), nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func updateGatewayResponse(c *Controller, in *call) (int, any, *apiError) {
	typ := in.params["response_type"]
	if err := checkResponseType(typ); err != nil {
		return 0, nil, err
	}
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		next := *rec.shownGatewayResponse(typ)
		if err := jsonPatch(&next, ops, "statusCode", "responseParameters", "responseTemplates"); err != nil {
			return nil, err
		}
		if next.StatusCode != "" && !statusCodeOK(next.StatusCode) {
			return nil, badRequest("Invalid status code specified: %s", next.StatusCode)
		}
		next.ResponseType, next.DefaultResponse = typ, false
		rec.GatewayResponses = slices.DeleteFunc(rec.GatewayResponses, func(x *wireGatewayResponse) bool { return x.ResponseType == typ })
		rec.GatewayResponses = append(rec.GatewayResponses, &next)
		return rec.shownGatewayResponse(typ), nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteGatewayResponse(c *Controller, in *call) (int, any, *apiError) {
	typ := in.params["response_type"]
	if err := checkResponseType(typ); err != nil {
		return 0, nil, err
	}
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		if rec.gatewayResponse(typ) == nil {
			return nil, notFound("", "Invalid response type specified: %s has no override", typ)
		}
		rec.GatewayResponses = slices.DeleteFunc(rec.GatewayResponses, func(x *wireGatewayResponse) bool { return x.ResponseType == typ })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}
