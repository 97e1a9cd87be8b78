package config

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/expr"
)

// HTTP API checks: parameter mapping (reference §0), CORS (§5.1) and
// throttling route settings (§5.2).

var statusKeyRE = regexp.MustCompile(`^[1-5][0-9][0-9]$`)

// reservedHeaders cannot be mapped (reference §0): exact names, and the
// prefixes access-control-, apigw-, x-amz- and x-amzn-.
var reservedHeaders = []string{
	"authorization", "connection", "content-encoding", "content-length", "content-location",
	"forwarded", "keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te",
	"trailers", "transfer-encoding", "upgrade", "x-forwarded-for", "x-forwarded-host",
	"x-forwarded-proto", "via",
}

// ReservedHeader reports whether API Gateway refuses to map header name.
func ReservedHeader(name string) bool {
	n := strings.ToLower(name)
	for _, p := range []string{"access-control-", "apigw-", "x-amz-", "x-amzn-"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return slices.Contains(reservedHeaders, n)
}

func validateHTTPParameters(in *Integration, k string, d *decoder) {
	for _, name := range slices.Sorted(maps.Keys(in.RequestParameters)) {
		pk := childKey(k+".requestParameters", name)
		key, ok := checkMappingKey(name, false, pk, d)
		if !ok {
			continue
		}
		if v := in.RequestParameters[name]; v == "" && key.Action != expr.Remove {
			d.at(pk, "a value is required: a static value, $request.header.x, $request.querystring.x, $request.body.x, $request.path, $request.path.x, $context.x or $stageVariables.x")
		} else if key.Action != expr.Remove {
			checkMappingValue(v, pk, d)
		}
	}
	for _, status := range slices.Sorted(maps.Keys(in.ResponseParameters)) {
		sk := childKey(k+".responseParameters", status)
		if !statusKeyRE.MatchString(status) {
			d.atKey(sk, "want a status code from 100 to 599, e.g. \"200\"")
		}
		m := in.ResponseParameters[status]
		for _, name := range slices.Sorted(maps.Keys(m)) {
			pk := childKey(sk, name)
			key, ok := checkMappingKey(name, true, pk, d)
			if !ok {
				continue
			}
			if key.Action != expr.Remove {
				checkMappingValue(m[name], pk, d)
			}
			if key.Target == expr.TargetStatusCode {
				if c, err := strconv.Atoi(m[name]); err != nil || c < 100 || c > 599 {
					if !strings.HasPrefix(m[name], "$") {
						d.at(pk, "%q: want a status code from 100 to 599", m[name])
					}
				}
			}
		}
	}
	if len(in.IntegrationResponses) > 0 {
		d.at(k+".integrationResponses", "HTTP APIs have no integration responses; use responseParameters")
	}
}

// checkMappingKey parses an HTTP API parameter mapping key with
// expr.ParseMappingKey and refuses reserved headers; ok is false when the
// key does not parse.
func checkMappingKey(name string, response bool, pk string, d *decoder) (expr.Key, bool) {
	key, err := expr.ParseMappingKey(name, response)
	if err != nil {
		d.atKey(pk, "%s", syntaxMsg(err))
		return key, false
	}
	if key.Target == expr.TargetHeader && ReservedHeader(key.Name) {
		d.atKey(pk, "header %s is reserved and cannot be mapped", key.Name)
	}
	return key, true
}

// checkMappingValue parses an HTTP API parameter mapping value with
// expr.ParseMapping.
func checkMappingValue(v, pk string, d *decoder) {
	if _, err := expr.ParseMapping(v); err != nil {
		d.at(pk, "%q: %s", v, syntaxMsg(err))
	}
}

func validateHTTPAPI(a *API, k string, d *decoder, routes map[string]string) {
	if c := a.CorsConfiguration; c != nil {
		ck := k + ".corsConfiguration"
		for i, o := range c.AllowOrigins {
			if msg := checkCORSOrigin(o); msg != "" {
				d.at(indexKey(ck+".allowOrigins", i), "%q: %s", o, msg)
			}
		}
		for i, m := range c.AllowMethods {
			if m != "*" && !oneOf(strings.ToUpper(m), "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS") {
				d.at(indexKey(ck+".allowMethods", i), "%q: want an HTTP method or *", m)
			}
		}
		if c.MaxAge != nil && (*c.MaxAge < -1 || *c.MaxAge > 86400) {
			d.at(ck+".maxAge", "%d: want seconds from 0 to 86400 (-1 disables caching)", *c.MaxAge)
		}
		if c.AllowCredentials && slices.Contains(c.AllowOrigins, "*") {
			d.at(ck+".allowCredentials", "cannot be true when allowOrigins holds *; list the origins")
		}
	}
	for i, s := range a.Stages {
		sk := indexKey(k+".stages", i)
		if s.DefaultRouteSettings != nil {
			checkRouteSettings(s.DefaultRouteSettings, sk+".defaultRouteSettings", d)
		}
		for _, key := range slices.Sorted(maps.Keys(s.RouteSettings)) {
			rk := childKey(sk+".routeSettings", key)
			if routes[key] == "" {
				d.atKey(rk, "no route has the key %q", key)
			}
			rs := s.RouteSettings[key]
			checkRouteSettings(&rs, rk, d)
		}
	}
}

func checkRouteSettings(r *RouteSettings, k string, d *decoder) {
	if r.ThrottlingBurstLimit != nil && *r.ThrottlingBurstLimit < 0 {
		d.at(k+".throttlingBurstLimit", "%d: must not be negative", *r.ThrottlingBurstLimit)
	}
	if r.ThrottlingRateLimit != nil && *r.ThrottlingRateLimit < 0 {
		d.at(k+".throttlingRateLimit", "%g: must not be negative", *r.ThrottlingRateLimit)
	}
}

// checkCORSOrigin accepts *, an origin (scheme://host[:port]) and the
// scheme wildcards http://* and https://* (reference §5.1).
func checkCORSOrigin(o string) string {
	switch {
	case o == "*", o == "http://*", o == "https://*":
		return ""
	case strings.HasSuffix(o, "/"):
		return "an origin has no path: remove the trailing /"
	}
	scheme, host, ok := strings.Cut(o, "://")
	if !ok || !schemeRE.MatchString(scheme) || host == "" || strings.ContainsAny(host, "/?# ") {
		return "want *, http://*, https://* or an origin such as https://example.com"
	}
	return ""
}
