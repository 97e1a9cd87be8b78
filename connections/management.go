package connections

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/portico-gw/portico/internal/clientaddr"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/sigv4"
	"github.com/portico-gw/portico/internal/urlpath"
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
	// Region, when set, is the only region accepted in a signature's
	// credential scope. Zero means any region.
	Region string
	// MaxMessageBytes returns an API's message size limit: the most a
	// PostToConnection or @broadcast body may hold, and so the most Serve
	// reads of one. Nil means 128 KB.
	MaxMessageBytes func(apiID string) int
	// BodyReadTimeout bounds reading a request's body, from the moment
	// its headers are checked. Zero means DefaultBodyReadTimeout.
	BodyReadTimeout time.Duration
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
	bodyTimeout   time.Duration
	log           *slog.Logger
}

// DefaultBodyReadTimeout is how long Serve waits for a request's body when
// ManagementConfig.BodyReadTimeout is zero.
const DefaultBodyReadTimeout = 10 * time.Second

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
			Region: cfg.Region,
			Now:    cfg.Now,
		},
		allowUnsigned: cfg.AllowUnsigned,
		maxMessage:    maxMessage,
		bodyTimeout:   cfg.BodyReadTimeout,
		log:           log,
	}
	if m.bodyTimeout <= 0 {
		m.bodyTimeout = DefaultBodyReadTimeout
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
//
// The signature covers the body, so Serve reads it before verifying the
// signature, but only after the checks that need no body have passed (see
// sigv4.Verifier.CheckHeader): an unsigned or badly signed request is
// refused before a byte of its body is read. Serve then reads at most what
// the operation takes (the API's message size limit for PostToConnection
// and @broadcast, nothing for the others), answers 413 to a larger body
// whether it is announced by Content-Length or found by reading one byte
// more, and stops waiting for the body after the body read timeout (408).
func (m *Management) Serve(w http.ResponseWriter, r *http.Request, apiID, stage, rest string) (operation string) {
	operation, _ = m.ServeStatus(w, r, apiID, stage, rest)
	return operation
}

// ServeStatus is Serve, and also returns the status it answered with, for
// callers that would otherwise wrap w to learn it.
func (m *Management) ServeStatus(w http.ResponseWriter, r *http.Request, apiID, stage, rest string) (operation string, status int) {
	operation = Operation(r.Method, rest)
	w.Header()["X-Amzn-Requestid"] = ids.NewUUIDValue() // []string{uuid.NewString()}, one allocation
	res := m.serve(w, r, operation, apiID, stage, rest)
	writeResult(w, res)
	return operation, res.Status
}

// serve runs the request and returns the Result to answer.
func (m *Management) serve(w http.ResponseWriter, r *http.Request, operation, apiID, stage, rest string) Result {
	signed, res := m.checkHeader(r)
	if res.Status != 0 {
		return res
	}
	limit := 0
	if r.Method == http.MethodPost && (operation == OpPostToConnection || operation == OpBroadcast) {
		limit = m.maxMessage(apiID)
	}
	body, res := m.readBody(w, r, limit)
	if res.Status != 0 {
		return res
	}
	if signed {
		if res := m.verify(r, body); res.Status != 0 {
			return res
		}
	}
	switch {
	case operation == OpBroadcast:
		if r.Method != http.MethodPost {
			return errMissingToken.result()
		}
		return m.broadcast(apiID, stage, body)
	case operation == OpListConnections:
		if r.Method != http.MethodGet {
			return errMissingToken.result()
		}
		return m.list(r, apiID, stage)
	}

	id, ok := connectionIDFromPathIn(rest, r.URL.Path)
	if !ok {
		return errMissingToken.result()
	}
	switch r.Method {
	case http.MethodPost, http.MethodGet, http.MethodDelete:
	default:
		return errMissingToken.result()
	}
	if !ids.Valid(id) {
		return errBadRequestID.result()
	}
	op := Op{Method: r.Method, ConnectionID: id, APIID: apiID, Stage: stage, Body: body}
	node, _ := ids.NodeOf(id)
	if node == m.node || m.bus == nil {
		return m.Local(op)
	}
	res, err := m.bus.Remote(r.Context(), node, op)
	switch {
	case errors.Is(err, ErrNodeGone):
		res = errGone.result()
	case err != nil:
		m.log.Warn("@connections call to another node failed", "connection_id", id, "error", err)
		res = errBusUnavailable.result()
	}
	return res
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

// broadcast serves POST {base}/@broadcast (Portico extension); Serve has
// checked the body's size. When the other nodes cannot be reached, this
// node's connections still get the message and the answer is 503, whose
// body says how many took it: a client that retries knows they will get it
// twice.
func (m *Management) broadcast(apiID, stage string, body []byte) Result {
	if m.bus == nil {
		DeliverLocal(m.reg, apiID, stage, body)
		return Result{Status: http.StatusOK}
	}
	if n, err := m.bus.Broadcast(apiID, stage, body); err != nil {
		m.log.Warn("broadcast not published to other nodes", "api_id", apiID, "stage", stage, "local_deliveries", n, "error", err)
		return errBroadcastLocalOnly(n).result()
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

// zeroLength is the Content-Length of an empty answer, shared: net/http
// copies the handler's header before writing it, and nothing changes it.
var zeroLength = []string{"0"}

func writeResult(w http.ResponseWriter, res Result) {
	h := w.Header()
	if res.ErrorType != "" {
		h.Set("x-amzn-ErrorType", res.ErrorType)
	}
	if res.ContentType != "" {
		h.Set("Content-Type", res.ContentType)
	}
	if len(res.Body) == 0 {
		h["Content-Length"] = zeroLength[:1:1]
	} else {
		h["Content-Length"] = []string{strconv.Itoa(len(res.Body))}
	}
	w.WriteHeader(res.Status)
	_, _ = w.Write(res.Body)
}

// checkHeader runs the authentication checks that need no body: an unsigned
// request passes only when that is allowed and it comes from loopback; a
// signed one must pass sigv4.Verifier.CheckHeader. A non-zero Result is the
// 403 to answer; signed says whether verify must still check the signature
// against the body.
func (m *Management) checkHeader(r *http.Request) (signed bool, res Result) {
	if !sigv4.Signed(r) {
		if m.allowUnsigned && fromLoopback(r) {
			return false, Result{}
		}
		return false, errMissingToken.result()
	}
	if err := m.verifier.CheckHeader(r); err != nil {
		m.log.Debug("@connections signature refused before the body", "error", err)
		return true, forbidden(err.Error()).result()
	}
	return true, Result{}
}

// verify checks the request's SigV4 signature against its body. A non-zero
// Result is the 403 to answer.
func (m *Management) verify(r *http.Request, body []byte) Result {
	if _, err := m.verifier.Verify(r, body); err != nil {
		m.log.Debug("@connections signature refused", "error", err)
		return forbidden(err.Error()).result()
	}
	return Result{}
}

// readBody reads a request body of at most limit bytes within the body read
// timeout. An operation with limit 0 takes no body: none is read (the
// signature is then checked against an empty body), and net/http discards
// what was sent within the same deadline. A non-zero Result is the error to
// answer: 413 for a larger body, announced or not, 408 when the body does
// not arrive in time, 400 when it cannot be read.
func (m *Management) readBody(w http.ResponseWriter, r *http.Request, limit int) ([]byte, Result) {
	if r.ContentLength == 0 {
		return nil, Result{}
	}
	// A deadline for this request's body only: net/http sets the
	// connection's read deadline afresh before the next request. Writers
	// that cannot set one (tests' recorders) have no connection to hold.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(m.bodyTimeout))
	if limit == 0 {
		return nil, Result{}
	}
	if r.ContentLength > int64(limit) {
		return nil, errPayloadTooLarge.result()
	}
	body, err := readAtMost(r.Body, limit, r.ContentLength)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, errBodyTimeout.result()
	case err != nil:
		return nil, errBodyRead.result()
	case len(body) > limit:
		return nil, errPayloadTooLarge.result()
	}
	// The whole body is in: lift the deadline, so that a slow operation
	// (another node, a listing) is not cut short by it. Closing the body,
	// read to its end, spares net/http draining it after the handler.
	_ = rc.SetReadDeadline(time.Time{})
	_ = r.Body.Close()
	return body, Result{}
}

// readAtMost reads body until EOF or until it has more than limit bytes,
// as io.ReadAll(io.LimitReader(body, limit+1)) does, into one buffer sized
// for the announced length (size, -1 when unknown) and the one byte more
// that finds EOF.
func readAtMost(body io.Reader, limit int, size int64) ([]byte, error) {
	n := 512
	if size >= 0 && size <= int64(limit) {
		n = int(size)
	}
	b := make([]byte, 0, min(n, limit)+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := body.Read(b[len(b):min(cap(b), limit+1)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil || len(b) > limit {
			return b, err
		}
	}
}

// connectionIDFromPath extracts and unescapes the ID from
// "/@connections/{id}".
func connectionIDFromPath(rest string) (string, bool) {
	return connectionIDFromPathIn(rest, "")
}

// connectionIDFromPathIn is connectionIDFromPath for a request whose
// unescaped path is path: when path ends with the unescaped ID, that
// substring is returned instead of a fresh copy.
func connectionIDFromPathIn(rest, path string) (string, bool) {
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
	if n := urlpath.UnescapedLen(tail); n <= len(path) && urlpath.UnescapesTo(tail, path[len(path)-n:]) {
		return path[len(path)-n:], true
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
