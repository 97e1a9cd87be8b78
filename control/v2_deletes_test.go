package control_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"
)

// DeleteCorsConfiguration, DeleteAccessLogSettings, DeleteRouteSettings
// and DeleteRouteRequestParameter remove their setting from what is
// stored and served.
func TestDeleteSettings(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	api, err := n.client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("s"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("http://127.0.0.1:9001/"), RouteKey: aws.String("GET /a"),
		CorsConfiguration: &types.Cors{AllowOrigins: []string{"https://example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	if a := n.servedAPI(*api.ApiId); a == nil || a.CorsConfiguration == nil {
		t.Fatalf("served without CORS: %+v", a)
	}
	if _, err := n.client.DeleteCorsConfiguration(ctx, &apigatewayv2.DeleteCorsConfigurationInput{ApiId: api.ApiId}); err != nil {
		t.Fatal(err)
	}
	got, err := n.client.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: api.ApiId})
	if err != nil || got.CorsConfiguration != nil {
		t.Fatalf("GetApi after DeleteCorsConfiguration: %+v %v", got.CorsConfiguration, err)
	}
	if a := n.servedAPI(*api.ApiId); a == nil || a.CorsConfiguration != nil {
		t.Fatalf("served after DeleteCorsConfiguration: %+v", a)
	}

	if _, err := n.client.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"),
		AccessLogSettings: &types.AccessLogSettings{DestinationArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:g"),
			Format: aws.String("$context.requestId")},
		RouteSettings: map[string]types.RouteSettings{"GET /a": {ThrottlingBurstLimit: aws.Int32(5), ThrottlingRateLimit: aws.Float64(1)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.client.DeleteAccessLogSettings(ctx, &apigatewayv2.DeleteAccessLogSettingsInput{ApiId: api.ApiId, StageName: aws.String("$default")}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.client.DeleteRouteSettings(ctx, &apigatewayv2.DeleteRouteSettingsInput{ApiId: api.ApiId, StageName: aws.String("$default"),
		RouteKey: aws.String("GET /a")}); err != nil {
		t.Fatal(err)
	}
	st, err := n.client.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: api.ApiId, StageName: aws.String("$default")})
	if err != nil || st.AccessLogSettings != nil || len(st.RouteSettings) != 0 {
		t.Fatalf("GetStage after the deletions: %+v %+v %v", st.AccessLogSettings, st.RouteSettings, err)
	}
	_, err = n.client.DeleteRouteSettings(ctx, &apigatewayv2.DeleteRouteSettingsInput{ApiId: api.ApiId, StageName: aws.String("$default"),
		RouteKey: aws.String("GET /a")})
	wantAPIError[smithy.APIError](t, err, "NotFoundException", "Invalid RouteSettings identifier specified GET /a")
	_, err = n.client.DeleteAccessLogSettings(ctx, &apigatewayv2.DeleteAccessLogSettingsInput{ApiId: api.ApiId, StageName: aws.String("nope")})
	wantAPIError[smithy.APIError](t, err, "NotFoundException", "Invalid stage identifier specified nope")

	ws, err := n.client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("w"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := n.client.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: ws.ApiId, RouteKey: aws.String("$connect"),
		RequestParameters: map[string]types.ParameterConstraints{"route.request.header.x-id": {Required: aws.Bool(true)},
			"route.request.querystring.q": {Required: aws.Bool(false)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.client.DeleteRouteRequestParameter(ctx, &apigatewayv2.DeleteRouteRequestParameterInput{ApiId: ws.ApiId, RouteId: rt.RouteId,
		RequestParameterKey: aws.String("route.request.header.x-id")}); err != nil {
		t.Fatal(err)
	}
	r, err := n.client.GetRoute(ctx, &apigatewayv2.GetRouteInput{ApiId: ws.ApiId, RouteId: rt.RouteId})
	if err != nil || len(r.RequestParameters) != 1 || r.RequestParameters["route.request.querystring.q"].Required == nil {
		t.Fatalf("GetRoute after DeleteRouteRequestParameter: %+v %v", r.RequestParameters, err)
	}
	_, err = n.client.DeleteRouteRequestParameter(ctx, &apigatewayv2.DeleteRouteRequestParameterInput{ApiId: ws.ApiId, RouteId: rt.RouteId,
		RequestParameterKey: aws.String("route.request.header.x-id")})
	wantAPIError[smithy.APIError](t, err, "NotFoundException", "Invalid RouteRequestParameter identifier specified route.request.header.x-id")
}
