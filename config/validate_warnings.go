package config

import (
	"strings"

	"github.com/portico-gw/portico/expr"
)

// Warnings for mistakes that are legal but probably not meant: they load,
// and File.Warnings says what will happen.

// warnRouteSelection warns when a WebSocket API's route selection
// expression reads nothing from the message. AWS allows such a constant
// expression, but then every message selects the route whose key is that
// text (or $default), and every other custom route is unreachable.
func warnRouteSelection(a *API, k string, d *decoder) {
	if a.ProtocolType != "WEBSOCKET" || a.RouteSelectionExpression == "" {
		return
	}
	t, err := expr.ParseRouteSelection(a.RouteSelectionExpression)
	if err != nil {
		return // reported by validateAPI
	}
	constant, ok := t.Static()
	if !ok {
		return
	}
	hint := ""
	if strings.HasPrefix(constant, "request.") || strings.HasPrefix(constant, "{request.") {
		hint = " (did you mean $" + strings.Trim(constant, "{}") + "?)"
	}
	d.warnAt(k+".routeSelectionExpression", "%q reads nothing from the message%s: every message selects the route keyed %q, or $default", a.RouteSelectionExpression, hint, constant)
	for i, r := range a.Routes {
		if r.RouteKey == "" || r.RouteKey == constant || oneOf(r.RouteKey, "$connect", "$disconnect", "$default") {
			continue
		}
		d.warnAt(indexKey(k+".routes", i)+".routeKey", "%q is never selected: the routeSelectionExpression is the constant %q", r.RouteKey, constant)
	}
}

const lambdaCredentialsWarning = "a Lambda ARN, and the file sets neither lambda.endpoint nor lambda.accessKeyId: every call will need AWS credentials from the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE) or the instance metadata service (IMDS), which validate cannot check"

func isLocal(f *File, uri string) bool {
	_, ok := f.LocalFunction(uri)
	return ok
}

func isLambdaARN(uri string) bool { return lambdaARNRE.MatchString(uri) || apigwARNRE.MatchString(uri) }

// warnLambdaCredentials warns, once per URI, about Lambda ARNs that will
// be called with the default AWS credential chain: with neither
// lambda.endpoint nor lambda.accessKeyId, every call needs credentials
// from the environment, a profile or the instance metadata service (IMDS),
// which only the running gateway can find. REST APIs' Lambda ARNs are
// warned about by their checks (warnLambdaARN).
func warnLambdaCredentials(f *File, d *decoder) {
	if f.Lambda.Endpoint != "" || f.Lambda.AccessKeyID != "" {
		return
	}
	const msg = lambdaCredentialsWarning
	for i := range f.APIs {
		a := &f.APIs[i]
		k := indexKey("apis", i)
		for j, in := range a.Integrations {
			if in.IntegrationType == "AWS_PROXY" && isLambdaARN(in.IntegrationURI) && !isLocal(f, in.IntegrationURI) {
				d.warnAt(indexKey(k+".integrations", j)+".integrationUri", msg)
			}
		}
		for j, au := range a.Authorizers {
			if au.AuthorizerType == "REQUEST" && isLambdaARN(au.AuthorizerURI) && !isLocal(f, au.AuthorizerURI) {
				d.warnAt(indexKey(k+".authorizers", j)+".authorizerUri", msg)
			}
		}
	}
}

// warnLambdaARN is warnLambdaCredentials for one REST API function URI at key.
func warnLambdaARN(f *File, uri, key string, d *decoder) {
	if f.Lambda.Endpoint == "" && f.Lambda.AccessKeyID == "" && isLambdaARN(uri) && !isLocal(f, uri) {
		d.warnAt(key, lambdaCredentialsWarning)
	}
}

const flatAPIKeysWarning = "still read: each key is admitted to every stage with no throttle or quota; AWS's model is top-level apiKeys (value 20 to 128 characters), usagePlans with apiStages [{apiId, stage}], and usagePlanKeys"
