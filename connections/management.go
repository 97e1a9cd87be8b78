package connections

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/portico-gw/portico/internal/clientaddr"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/sigv4"
)

// ManagementConfig configures the @connections API.
type ManagementConfig struct {
	// Registry holds this node's connections. Required.
	Registry *Registry
	// NodeID is this node's ID. Connections of other nodes are reached
	// through Bus.
	NodeID string
	// Bus routes operations on other nodes' connections, broadcasts and
	// listings. Nil means a single node: other nodes' IDs are gone.
	Bus *Bus
	// Credentials maps access key IDs to secrets. Empty means no signed
	// request can succeed.
	Credentials map[string]string
	// AllowUnsigned accepts requests with no SigV4 authentication at all, and
	// only from loopback addresses. Signed requests are always verified.
	AllowUnsigned bool
	// MaxMessageBytes returns an API's message size limit, for @broadcast.
	// Nil means 128 KB.
	MaxMessageBytes func(apiID string) int
	// Now returns the current time for signature checks. Nil means time.Now.
	Now func() time.Time
	// Logger receives request logs at debug level. Nil means discard.
	Logger *slog.Logger
}

// Management serves the @connections API, and Portico's @broadcast and
// connection listing.
type Management struct {
	reg           *Registry
	node          string
	bus           *Bus
	verifier      *sigv4.Verifier
	allowUnsigned bool
	maxMessage    func(string) int
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
	maxMessage := cfg.MaxMessageBytes
	if maxMessage == nil {
		maxMessage = func(string) int { return 128 << 10 }
	}
	m := &Management{
		reg:  cfg.Registry,
		node: cfg.NodeID,
		bus:  cfg.Bus,
		verifier: &sigv4.Verifier{
			Service: "execute-api",
			Lookup: func(ak string) (string, bool) {
				s, ok := creds[ak]
				return s, ok
			},
			Now: cfg.Now,
		},
		allowUnsigned: cfg.AllowUnsigned,
		maxMessage:    maxMessage,
		log:           log,
	}
	return m, nil
}

// ConnectionsPrefix is the path that starts every management API request
// after the stage's base path.
const ConnectionsPrefix = "/@connections"

// BroadcastPath is Portico's broadcast endpoint after the stage's base path.
const BroadcastPath = "/@broadcast"

// IsManagementPath reports whether rest (the escaped path after the stage's
// base path) addresses the management API. The SDKs send "@" unescaped; a
// few clients escape it as %40.
func IsManagementPath(rest string) bool {
	return strings.HasPrefix(rest, ConnectionsPrefix) || strings.HasPrefix(rest, "/%40connections") ||
		rest == BroadcastPath || rest == "/%40broadcast"
}

// Serve answers one management API request for the API stage (apiID, stage).
// rest is the escaped path after the stage's base path, for example
// "/@connections/R1kmxc2VNjMCFIA%3D". It returns the operation the request
// named (see Operation), for metrics.
func (m *Management) Serve(w http.ResponseWriter, r *http.Request, apiID, stage, rest string) (operation string) {
	operation = Operation(r.Method, rest)
	w.Header()["X-Amzn-Requestid"] = []string{uuid.NewString()}

	// Read the body first: the signature covers it. PostToConnection bodies
	// are at most 128 KB; allow some slack so the size check can answer 413
	// rather than a read error.
	const maxBody = 1 << 20
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeResult(w, errBodyRead.result())
		return operation
	}
	if !m.authenticate(w, r, body) {
		return operation
	}
	switch {
	case operation == OpBroadcast:
		if r.Method != http.MethodPost {
			writeResult(w, errMissingToken.result())
			return operation
		}
		writeResult(w, m.broadcast(apiID, stage, body))
		return operation
	case operation == OpListConnections:
		if r.Method != http.MethodGet {
			writeResult(w, errMissingToken.result())
			return operation
		}
		writeResult(w, m.list(r, apiID, stage))
		return operation
	}

	id, ok := connectionIDFromPath(rest)
	if !ok {
		writeResult(w, errMissingToken.result())
		return operation
	}
	switch r.Method {
	case http.MethodPost, http.MethodGet, http.MethodDelete:
	default:
		writeResult(w, errMissingToken.result())
		return operation
	}
	if !ids.Valid(id) {
		writeResult(w, errBadRequestID.result())
		return operation
	}
	op := Op{Method: r.Method, ConnectionID: id, APIID: apiID, Stage: stage, Body: body}
	node, _ := ids.NodeOf(id)
	if node == m.node || m.bus == nil {
		writeResult(w, m.Local(op))
		return operation
	}
	res, err := m.bus.Remote(r.Context(), node, op)
	switch {
	case errors.Is(err, ErrNodeGone):
		res = errGone.result()
	case err != nil:
		m.log.Warn("@connections call to another node failed", "connection_id", id, "error", err)
		res = errBusUnavailable.result()
	}
	writeResult(w, res)
	return operation
}

// Local runs op on this node's registry.
func (m *Management) Local(op Op) Result { return runOp(m.reg, op) }

// runOp runs op on a connection of reg. Management runs this node's
// operations through it and Bus the operations other nodes route here, each
// on the Registry it was built with, so a remote call answers exactly as a
// local one and neither depends on the other to answer.
func runOp(reg *Registry, op Op) Result {
	c, found := reg.Get(op.ConnectionID)
	if !found || c.APIID() != op.APIID || c.Stage() != op.Stage {
		return errGone.result()
	}
	switch op.Method {
	case http.MethodPost:
		if len(op.Body) > c.MaxMessageBytes() {
			return errPayloadTooLarge.result()
		}
		switch err := c.Send(op.Body); {
		case err == nil:
			return Result{Status: http.StatusOK}
		case errors.Is(err, ErrQueueFull):
			return errLimitExceeded.result()
		case errors.Is(err, ErrTooLarge):
			return errPayloadTooLarge.result()
		default:
			return errGone.result()
		}
	case http.MethodGet:
		info, err := c.Info()
		if err != nil {
			return errGone.result()
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
		return Result{Status: http.StatusOK, ContentType: "application/json", Body: []byte(b.String())}
	case http.MethodDelete:
		if err := c.Delete(); err != nil {
			return errGone.result()
		}
		return Result{Status: http.StatusNoContent}
	}
	return errMissingToken.result()
}

// broadcast serves POST {base}/@broadcast (Portico extension).
func (m *Management) broadcast(apiID, stage string, body []byte) Result {
	if len(body) > m.maxMessage(apiID) {
		return errPayloadTooLarge.result()
	}
	if m.bus == nil {
		DeliverLocal(m.reg, apiID, stage, body)
		return Result{Status: http.StatusOK}
	}
	if _, err := m.bus.Broadcast(apiID, stage, body); err != nil {
		m.log.Warn("broadcast not published to other nodes", "api_id", apiID, "stage", stage, "error", err)
		return errBusUnavailable.result()
	}
	return Result{Status: http.StatusOK}
}

// list serves GET {base}/@connections?maxResults=N&nextToken=T (Portico
// extension): the stage's connections on every node, in ID order.
func (m *Management) list(r *http.Request, apiID, stage string) Result {
	q := r.URL.Query()
	limit := 100
	if s := q.Get("maxResults"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return errBadMaxResults.result()
		}
		limit = n
	}
	after := ""
	if tok := q.Get("nextToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || !ids.Valid(string(raw)) {
			return errBadNextToken.result()
		}
		after = string(raw)
	}
	var items []Listed
	if m.bus == nil {
		items = ListLocal(m.reg, apiID, stage, after, limit+1)
	} else {
		var err error
		if items, err = m.bus.List(r.Context(), apiID, stage, after, limit+1); err != nil {
			m.log.Warn("connection listing failed", "api_id", apiID, "stage", stage, "error", err)
			return errBusUnavailable.result()
		}
	}
	page := struct {
		Items     []Listed `json:"items"`
		NextToken string   `json:"nextToken,omitempty"`
	}{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextToken = base64.RawURLEncoding.EncodeToString([]byte(items[limit-1].ConnectionID))
	}
	if page.Items == nil {
		page.Items = []Listed{}
	}
	body, _ := json.Marshal(page)
	return Result{Status: http.StatusOK, ContentType: "application/json", Body: body}
}

func writeResult(w http.ResponseWriter, res Result) {
	h := w.Header()
	if res.ErrorType != "" {
		h.Set("x-amzn-ErrorType", res.ErrorType)
	}
	if res.ContentType != "" {
		h.Set("Content-Type", res.ContentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(res.Body)))
	w.WriteHeader(res.Status)
	_, _ = w.Write(res.Body)
}

// authenticate verifies the request's SigV4 signature, or lets an unsigned
// request through when that is allowed and it comes from loopback. It writes
// the 403 itself and returns false when the request is refused.
func (m *Management) authenticate(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if !sigv4.Signed(r) {
		if m.allowUnsigned && fromLoopback(r) {
			return true
		}
		writeResult(w, errMissingToken.result())
		return false
	}
	if _, err := m.verifier.Verify(r, body); err != nil {
		m.log.Debug("@connections signature refused", "error", err)
		writeResult(w, forbidden(err.Error()).result())
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

// fromLoopback reports whether the client is on loopback: a loopback peer
// that is a trusted proxy forwards for someone else, who decides.
func fromLoopback(r *http.Request) bool { return clientaddr.IsLoopback(r) }

// isoTime formats t as AWS does in GetConnection: ISO 8601, UTC, milliseconds.
func isoTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
