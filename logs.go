package portico

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/routing"
)

// Logs that make mistakes explain themselves: where to connect, at
// start, and, at debug level, why a request found no API or stage.

// logResolveFailure explains at debug level why r found no API stage: the
// request, what routing concluded, and for an unknown stage the stages
// that exist and a hint when only the letter case differs (AWS stage names
// are case-sensitive: /prod does not reach Prod).
func (s *Server) logResolveFailure(r *http.Request, set *apiSet, err error) {
	if !s.log.Enabled(r.Context(), slog.LevelDebug) {
		return
	}
	attrs := []any{"method", r.Method, "host", r.Host, "path", r.URL.EscapedPath(), "reason", err.Error()}
	var re *routing.ResolveError
	if errors.As(err, &re) && re.APIID != "" {
		if api := findAPI(set.file, re.APIID); api != nil {
			stages := make([]string, 0, len(api.stages))
			for _, st := range api.stages {
				stages = append(stages, st.name)
				if re.Stage != "" && st.name != re.Stage && strings.EqualFold(st.name, re.Stage) {
					attrs = append(attrs, "hint", "stage names are case-sensitive: did you mean "+st.name+"?")
				}
			}
			attrs = append(attrs, "api_id", re.APIID, "stages", stages)
		}
	} else if errors.Is(err, routing.ErrUnknownAPI) && len(set.apis) > 1 {
		attrs = append(attrs, "hint", "with more than one API, address one by Host {apiId}.execute-api.* or by path /_aws/execute-api/{apiId}/{stage}")
	}
	s.log.Debug("no API stage for the request", attrs...)
}

func findAPI(f *config.File, id string) *model {
	for _, m := range models(f) {
		if m.id == id {
			return &m
		}
	}
	return nil
}

// logEndpoints logs, once at start, where each API stage is reached on the
// data plane (addr; wss and https with tls), and for WebSocket APIs the
// @connections base the backends call. Behind a proxy the public address
// differs: publicUrl or the proxy's name is what clients use.
func (s *Server) logEndpoints(addr net.Addr, set *apiSet) {
	host := addr.String()
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		host = net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	ws, web := "ws://", "http://"
	if s.edge != nil && s.edge.certs != nil {
		ws, web = "wss://", "https://"
	}
	all := models(set.file)
	single := len(all) == 1
	for _, api := range all {
		for _, st := range api.stages {
			base := "/" + st.name
			if st.name == "$default" {
				base = ""
			}
			if !single {
				base = "/_aws/execute-api/" + api.id + base
			}
			attrs := []any{"api_id", api.id, "name", api.name, "protocol", api.protocol, "stage", st.name}
			if api.protocol == "WEBSOCKET" {
				attrs = append(attrs, "url", ws+host+base, "connections_url", web+host+base+"/@connections")
			} else {
				attrs = append(attrs, "url", web+host+base+"/")
			}
			s.log.Info("serving API stage", attrs...)
		}
	}
	for _, fn := range set.file.Functions {
		s.log.Info("serving local function", "function", fn.FunctionName, "runtime", fn.Runtime,
			"arn", s.functions.FunctionARN(fn.FunctionName), "code_uri", fn.CodeURI)
	}
}

// logWarnings logs what config.Load accepted but wants known (fields of the
// AWS models Portico does not act on, expressions that can never match),
// one line each.
func (s *Server) logWarnings(f *config.File) {
	for _, w := range f.Warnings {
		s.log.Warn("configuration warning", "warning", w.Error())
	}
}
