package control

import (
	"net/http"
	"slices"
)

// ---- integrations

func (rec *apiRecord) integration(id string) (*integrationRecord, *apiError) {
	for _, in := range rec.Integrations {
		if in.IntegrationID == id {
			return in, nil
		}
	}
	return nil, errNoIntegration(id)
}

var integrationTypes = []string{"AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK", "NATS"}

func createIntegration(c *Controller, in *call) (int, any, *apiError) {
	var ig wireIntegration
	if err := decode(in.body, &ig); err != nil {
		return 0, nil, err
	}
	if !slices.Contains(integrationTypes, ig.IntegrationType) {
		return 0, nil, badRequest("Invalid integration type specified. Must be one of [AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK] (or NATS, a Portico extension)")
	}
	ig.APIGatewayManaged = false
	if ig.ConnectionType == "" {
		ig.ConnectionType = "INTERNET"
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		if ig.PayloadFormatVersion == "" && rec.API.ProtocolType == "WEBSOCKET" {
			ig.PayloadFormatVersion = "1.0"
		}
		ig.IntegrationID = newID(7, func(id string) bool { _, e := rec.integration(id); return e == nil })
		rec.Integrations = append(rec.Integrations, &integrationRecord{wireIntegration: ig})
		return ig, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getIntegrations(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]wireIntegration, 0, len(rec.Integrations))
	for _, ig := range rec.Integrations {
		items = append(items, ig.wireIntegration)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getIntegration(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	ig, err := rec.integration(in.params["integrationId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ig.wireIntegration, nil
}

func updateIntegration(c *Controller, in *call) (int, any, *apiError) {
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		ig, err := rec.integration(in.params["integrationId"])
		if err != nil {
			return nil, err
		}
		next := ig.wireIntegration
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.IntegrationID, next.APIGatewayManaged = ig.IntegrationID, ig.APIGatewayManaged
		if !slices.Contains(integrationTypes, next.IntegrationType) {
			return nil, badRequest("Invalid integration type specified. Must be one of [AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK] (or NATS, a Portico extension)")
		}
		ig.wireIntegration = next
		return next, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteIntegration(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		ig, err := rec.integration(in.params["integrationId"])
		if err != nil {
			return nil, err
		}
		target := "integrations/" + ig.IntegrationID
		if i := slices.IndexFunc(rec.Routes, func(r *routeRecord) bool { return r.Target == target }); i >= 0 {
			return nil, badRequest("Integration %s is the target of route %s; change the route first", ig.IntegrationID, rec.Routes[i].RouteID)
		}
		rec.Integrations = slices.DeleteFunc(rec.Integrations, func(x *integrationRecord) bool { return x == ig })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- integration responses

func (ig *integrationRecord) response(id string) (*wireIntegrationResponse, *apiError) {
	for _, ir := range ig.Responses {
		if ir.IntegrationResponseID == id {
			return ir, nil
		}
	}
	return nil, errNoIntegrationResponse(id)
}

func createIntegrationResponse(c *Controller, in *call) (int, any, *apiError) {
	var ir wireIntegrationResponse
	if err := decode(in.body, &ir); err != nil {
		return 0, nil, err
	}
	if ir.IntegrationResponseKey == "" {
		return 0, nil, badRequest("IntegrationResponseKey is required")
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		ig, err := rec.integration(in.params["integrationId"])
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(ig.Responses, func(x *wireIntegrationResponse) bool { return x.IntegrationResponseKey == ir.IntegrationResponseKey }) {
			return nil, conflict("IntegrationResponse with key %s already exists for this Integration", ir.IntegrationResponseKey)
		}
		ir.IntegrationResponseID = newID(6, func(id string) bool { _, e := ig.response(id); return e == nil })
		ig.Responses = append(ig.Responses, &ir)
		return ir, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getIntegrationResponses(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	ig, err := rec.integration(in.params["integrationId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]wireIntegrationResponse, 0, len(ig.Responses))
	for _, ir := range ig.Responses {
		items = append(items, *ir)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getIntegrationResponse(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	ig, err := rec.integration(in.params["integrationId"])
	if err != nil {
		return 0, nil, err
	}
	ir, err := ig.response(in.params["integrationResponseId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ir, nil
}

func updateIntegrationResponse(c *Controller, in *call) (int, any, *apiError) {
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		ig, err := rec.integration(in.params["integrationId"])
		if err != nil {
			return nil, err
		}
		ir, err := ig.response(in.params["integrationResponseId"])
		if err != nil {
			return nil, err
		}
		next := *ir
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.IntegrationResponseID = ir.IntegrationResponseID
		*ir = next
		return next, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteIntegrationResponse(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		ig, err := rec.integration(in.params["integrationId"])
		if err != nil {
			return nil, err
		}
		ir, err := ig.response(in.params["integrationResponseId"])
		if err != nil {
			return nil, err
		}
		ig.Responses = slices.DeleteFunc(ig.Responses, func(x *wireIntegrationResponse) bool { return x == ir })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
