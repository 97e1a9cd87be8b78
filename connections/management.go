package connections

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/sigv4"
)

// ManagementConfig configures the @connections API.
type ManagementConfig struct {
	// Registry holds this node's connections. Required.
	Registry *Registry
	// Credentials maps access key IDs to secrets. Empty means no signed
	// request can succeed.
	Credentials map[string]string
	// AllowUnsigned accepts requests with no SigV4 authentication at all, and
	// only from loopback addresses. Signed requests are always verified.
	AllowUnsigned bool
	// Now returns the current time for signature checks. Nil means time.Now.
	Now func() time.Time
	// Logger receives request logs at debug level. Nil means discard.
	Logger *slog.Logger
}

// Management serves the @connections API.
type Management struct {
	reg           *Registry
	verifier      *sigv4.Verifier
	allowUnsigned bool
	log           *slog.Logger
}

// NewManagement returns the @connections API.
func NewManagement(cfg ManagementConfig) (*Management, error) {
	if cfg.Registry == nil {
		return nil, errors.New("connections: ManagementConfig.Registry is nil")
	}
	creds := make(map[string]string, len(cfg.Credentials))
	for k, v := range cfg.Credentials {
		creds[k] = v
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Management{
		reg: cfg.Registry,
		verifier: &sigv4.Verifier{
			Service: "execute-api",
			Lookup: func(ak string) (string, bool) {
				s, ok := creds[ak]
				return s, ok
			},
			Now: cfg.Now,
		},
		allowUnsigned: cfg.AllowUnsigned,
		log:           log,
	}, nil
}

// ConnectionsPrefix is the path that starts every management API request
// after the stage's base path.
const ConnectionsPrefix = "/@connections"

// IsManagementPath reports whether rest (the escaped path after the stage's
// base path) addresses the management API. The SDKs send "@" unescaped; a
// few clients escape it as %40.
func IsManagementPath(rest string) bool {
	return strings.HasPrefix(rest, ConnectionsPrefix) || strings.HasPrefix(rest, "/%40connections")
}

// Serve answers one management API request for the API stage (apiID, stage).
// rest is the escaped path after the stage's base path, for example
// "/@connections/R1kmxc2VNjMCFIA%3D".
func (m *Management) Serve(w http.ResponseWriter, r *http.Request, apiID, stage, rest string) {
	w.Header().Set("x-amzn-RequestId", uuid.NewString())

	// Read the body first: the signature covers it. PostToConnection bodies
	// are at most 128 KB; allow some slack so the size check below can
	// answer 413 rather than a read error.
	const maxBody = 1 << 20
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		errBodyRead.write(w)
		return
	}
	if !m.authenticate(w, r, body) {
		return
	}

	id, ok := connectionIDFromPath(rest)
	if !ok {
		errMissingToken.write(w)
		return
	}
	switch r.Method {
	case http.MethodPost, http.MethodGet, http.MethodDelete:
	default:
		errMissingToken.write(w)
		return
	}
	if !ids.Valid(id) {
		errBadRequestID.write(w)
		return
	}
	c, found := m.reg.Get(id)
	if !found || c.APIID() != apiID || c.Stage() != stage {
		errGone.write(w)
		return
	}

	switch r.Method {
	case http.MethodPost:
		if len(body) > c.MaxMessageBytes() {
			errPayloadTooLarge.write(w)
			return
		}
		switch err := c.Send(body); {
		case err == nil:
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusOK)
		case errors.Is(err, ErrQueueFull):
			errLimitExceeded.write(w)
		case errors.Is(err, ErrTooLarge):
			errPayloadTooLarge.write(w)
		default:
			errGone.write(w)
		}
	case http.MethodGet:
		info, err := c.Info()
		if err != nil {
			errGone.write(w)
			return
		}
		var b strings.Builder
		b.WriteString(`{"connectedAt":"`)
		b.WriteString(isoTime(info.ConnectedAt))
		b.WriteString(`","identity":{"sourceIp":`)
		b.WriteString(quote(info.SourceIP))
		b.WriteString(`,"userAgent":`)
		b.WriteString(quote(info.UserAgent))
		b.WriteString(`},"lastActiveAt":"`)
		b.WriteString(isoTime(info.LastActiveAt))
		b.WriteString(`"}`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, b.String())
	case http.MethodDelete:
		if err := c.Delete(); err != nil {
			errGone.write(w)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// authenticate verifies the request's SigV4 signature, or lets an unsigned
// request through when that is allowed and it comes from loopback. It writes
// the 403 itself and returns false when the request is refused.
func (m *Management) authenticate(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if !sigv4.Signed(r) {
		if m.allowUnsigned && fromLoopback(r) {
			return true
		}
		errMissingToken.write(w)
		return false
	}
	if _, err := m.verifier.Verify(r, body); err != nil {
		m.log.Debug("@connections signature refused", "error", err)
		forbidden(err.Error()).write(w)
		return false
	}
	return true
}

// connectionIDFromPath extracts and unescapes the ID from
// "/@connections/{id}".
func connectionIDFromPath(rest string) (string, bool) {
	var tail string
	switch {
	case strings.HasPrefix(rest, ConnectionsPrefix+"/"):
		tail = rest[len(ConnectionsPrefix)+1:]
	case strings.HasPrefix(rest, "/%40connections/"):
		tail = rest[len("/%40connections/"):]
	default:
		return "", false
	}
	if tail == "" || strings.Contains(tail, "/") {
		return "", false
	}
	id, err := url.PathUnescape(tail)
	if err != nil {
		return "", false
	}
	return id, true
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isoTime formats t as AWS does in GetConnection: ISO 8601, UTC, milliseconds.
func isoTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
