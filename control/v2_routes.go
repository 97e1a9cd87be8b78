package control

import (
	"net/http"
	"slices"
)

// ---- routes

func (rec *apiRecord) route(id string) (*routeRecord, *apiError) {
	for _, r := range rec.Routes {
		if r.RouteID == id {
			return r, nil
		}
	}
	return nil, errNoRoute(id)
}

func createRoute(c *Controller, in *call) (int, any, *apiError) {
	var r wireRoute
	if err := decode(in.body, &r); err != nil {
		return 0, nil, err
	}
	if r.RouteKey == "" {
		return 0, nil, badRequest("RouteKey is required")
	}
	if r.AuthorizationType == "" {
		r.AuthorizationType = "NONE"
	}
	r.APIGatewayManaged = false
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		if slices.ContainsFunc(rec.Routes, func(x *routeRecord) bool { return x.RouteKey == r.RouteKey }) {
			return nil, conflict("Route with key %s already exists for this API", r.RouteKey)
		}
		r.RouteID = newID(7, func(id string) bool { _, e := rec.route(id); return e == nil })
		rec.Routes = append(rec.Routes, &routeRecord{wireRoute: r})
		return r, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getRoutes(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]wireRoute, 0, len(rec.Routes))
	for _, r := range rec.Routes {
		items = append(items, r.wireRoute)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getRoute(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	r, err := rec.route(in.params["routeId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, r.wireRoute, nil
}

func updateRoute(c *Controller, in *call) (int, any, *apiError) {
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		r, err := rec.route(in.params["routeId"])
		if err != nil {
			return nil, err
		}
		next := r.wireRoute
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.RouteID, next.APIGatewayManaged = r.RouteID, r.APIGatewayManaged
		if next.RouteKey == "" {
			return nil, badRequest("RouteKey cannot be empty")
		}
		if next.RouteKey != r.RouteKey && slices.ContainsFunc(rec.Routes, func(x *routeRecord) bool { return x.RouteKey == next.RouteKey }) {
			return nil, conflict("Route with key %s already exists for this API", next.RouteKey)
		}
		r.wireRoute = next
		return next, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteRoute(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		r, err := rec.route(in.params["routeId"])
		if err != nil {
			return nil, err
		}
		rec.Routes = slices.DeleteFunc(rec.Routes, func(x *routeRecord) bool { return x == r })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- route responses

func (r *routeRecord) response(id string) (*wireRouteResponse, *apiError) {
	for _, rr := range r.Responses {
		if rr.RouteResponseID == id {
			return rr, nil
		}
	}
	return nil, errNoRouteResponse(id)
}

func createRouteResponse(c *Controller, in *call) (int, any, *apiError) {
	var rr wireRouteResponse
	if err := decode(in.body, &rr); err != nil {
		return 0, nil, err
	}
	if rr.RouteResponseKey == "" {
		return 0, nil, badRequest("RouteResponseKey is required")
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		r, err := rec.route(in.params["routeId"])
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(r.Responses, func(x *wireRouteResponse) bool { return x.RouteResponseKey == rr.RouteResponseKey }) {
			return nil, conflict("RouteResponse with key %s already exists for this Route", rr.RouteResponseKey)
		}
		rr.RouteResponseID = newID(6, func(id string) bool { _, e := r.response(id); return e == nil })
		r.Responses = append(r.Responses, &rr)
		return rr, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getRouteResponses(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	r, err := rec.route(in.params["routeId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]wireRouteResponse, 0, len(r.Responses))
	for _, rr := range r.Responses {
		items = append(items, *rr)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getRouteResponse(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	r, err := rec.route(in.params["routeId"])
	if err != nil {
		return 0, nil, err
	}
	rr, err := r.response(in.params["routeResponseId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, rr, nil
}

func updateRouteResponse(c *Controller, in *call) (int, any, *apiError) {
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		r, err := rec.route(in.params["routeId"])
		if err != nil {
			return nil, err
		}
		rr, err := r.response(in.params["routeResponseId"])
		if err != nil {
			return nil, err
		}
		next := *rr
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.RouteResponseID = rr.RouteResponseID
		*rr = next
		return next, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteRouteResponse(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
		r, err := rec.route(in.params["routeId"])
		if err != nil {
			return nil, err
		}
		rr, err := r.response(in.params["routeResponseId"])
		if err != nil {
			return nil, err
		}
		r.Responses = slices.DeleteFunc(r.Responses, func(x *wireRouteResponse) bool { return x == rr })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
