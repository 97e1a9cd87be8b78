package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/config"
)

// CORS (reference §5.1). With a corsConfiguration the gateway answers
// preflight requests itself, even when no OPTIONS route exists, and sets the
// CORS headers on every integration response, dropping any the backend
// sent. Decisions where AWS is unconfirmed:
//   - A preflight is an OPTIONS request carrying Origin and
//     Access-Control-Request-Method. It is answered 204 by the gateway unless
//     an explicit OPTIONS route (not ANY, not $default) matches its path.
//   - A preflight from an origin that is not allowed gets 204 without CORS
//     headers; the browser then refuses the request.
//   - The gateway's own answers (404, 401, 403, 429, 5xx) carry the CORS
//     headers too, so that a browser can read them.
//   - Access-Control-Allow-Origin is "*" when allowOrigins holds "*" (and
//     credentials are not allowed, which config validation enforces);
//     otherwise the request's Origin, echoed when it matches, with
//     Vary: Origin.
type cors struct {
	origins     []string
	credentials bool
	expose      string
	maxAge      string
	methods     string
	headers     string
	anyOrigin   bool
	anyHeader   bool
}

func newCORS(c *config.Cors) *cors {
	if c == nil {
		return nil
	}
	out := &cors{
		origins:     c.AllowOrigins,
		credentials: c.AllowCredentials,
		expose:      strings.Join(c.ExposeHeaders, ","),
		methods:     strings.ToUpper(strings.Join(c.AllowMethods, ",")),
		headers:     strings.ToLower(strings.Join(c.AllowHeaders, ",")),
		anyOrigin:   slices.Contains(c.AllowOrigins, "*"),
		anyHeader:   slices.Contains(c.AllowHeaders, "*"),
	}
	if c.MaxAge != nil {
		out.maxAge = strconv.Itoa(*c.MaxAge)
	}
	return out
}

// allowOrigin returns the Access-Control-Allow-Origin value for origin, or
// "" when it is not allowed.
func (c *cors) allowOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	if c.anyOrigin {
		return "*"
	}
	for _, o := range c.origins {
		switch {
		case strings.EqualFold(o, origin):
			return origin
		case o == "http://*" && strings.HasPrefix(origin, "http://"),
			o == "https://*" && strings.HasPrefix(origin, "https://"):
			return origin
		}
	}
	return ""
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// preflight answers a preflight request.
func (c *cors) preflight(w http.ResponseWriter, r *http.Request, requestID string) {
	h := w.Header()
	setRequestID(h, requestID)
	if c.setOrigin(h, r) {
		if c.methods != "" {
			h.Set("Access-Control-Allow-Methods", c.methods)
		}
		switch {
		case c.anyHeader:
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
		case c.headers != "":
			h.Set("Access-Control-Allow-Headers", c.headers)
		}
		if c.maxAge != "" {
			h.Set("Access-Control-Max-Age", c.maxAge)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// decorate replaces the backend's CORS headers with the configuration's.
func (c *cors) decorate(h http.Header, r *http.Request) {
	for name := range h {
		if strings.HasPrefix(strings.ToLower(name), "access-control-") {
			delete(h, name)
		}
	}
	if !c.setOrigin(h, r) {
		return
	}
	if c.expose != "" {
		h.Set("Access-Control-Expose-Headers", c.expose)
	}
}

// setOrigin sets the origin and credentials headers when r's Origin is
// allowed, and reports whether it is.
func (c *cors) setOrigin(h http.Header, r *http.Request) bool {
	allow := c.allowOrigin(r.Header.Get("Origin"))
	if allow == "" {
		return false
	}
	h.Set("Access-Control-Allow-Origin", allow)
	if allow != "*" && !slices.Contains(h.Values("Vary"), "Origin") {
		h.Add("Vary", "Origin")
	}
	if c.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	return true
}
