package control

import "net/http"

// The apigatewayv2 operations that remove one setting of an API, a
// stage or a route.

// routesV2Deletes are those operations.
var routesV2Deletes = []route{
	{Operation{"DeleteCorsConfiguration", "DELETE", "/v2/apis/{apiId}/cors"}, deleteCorsConfiguration},
	{Operation{"DeleteAccessLogSettings", "DELETE", "/v2/apis/{apiId}/stages/{stageName}/accesslogsettings"}, deleteAccessLogSettings},
	{Operation{"DeleteRouteSettings", "DELETE", "/v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey}"}, deleteRouteSettings},
	{Operation{"DeleteRouteRequestParameter", "DELETE", "/v2/apis/{apiId}/routes/{routeId}/requestparameters/{requestParameterKey}"}, deleteRouteRequestParameter},
}

// removeSetting runs fn on the call's API and answers 204.
func (c *Controller) removeSetting(in *call, fn func(rec *apiRecord) *apiError) (int, any, *apiError) {
	_, err := c.update(in, func(rec *apiRecord) (any, *apiError) { return nil, fn(rec) })
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func deleteCorsConfiguration(c *Controller, in *call) (int, any, *apiError) {
	return c.removeSetting(in, func(rec *apiRecord) *apiError {
		rec.API.CorsConfiguration = nil
		return nil
	})
}

func deleteAccessLogSettings(c *Controller, in *call) (int, any, *apiError) {
	return c.removeSetting(in, func(rec *apiRecord) *apiError {
		st, err := rec.stage(in.params["stageName"])
		if err != nil {
			return err
		}
		st.AccessLogSettings = nil
		return nil
	})
}

func deleteRouteSettings(c *Controller, in *call) (int, any, *apiError) {
	return c.removeSetting(in, func(rec *apiRecord) *apiError {
		st, err := rec.stage(in.params["stageName"])
		if err != nil {
			return err
		}
		key := in.params["routeKey"]
		if _, ok := st.RouteSettings[key]; !ok {
			return notFound("RouteSettings", "Invalid RouteSettings identifier specified %s", key)
		}
		delete(st.RouteSettings, key)
		return nil
	})
}

func deleteRouteRequestParameter(c *Controller, in *call) (int, any, *apiError) {
	return c.removeSetting(in, func(rec *apiRecord) *apiError {
		r, err := rec.route(in.params["routeId"])
		if err != nil {
			return err
		}
		key := in.params["requestParameterKey"]
		if _, ok := r.RequestParameters[key]; !ok {
			return notFound("RouteRequestParameter", "Invalid RouteRequestParameter identifier specified %s", key)
		}
		delete(r.RequestParameters, key)
		return nil
	})
}
