package accesslog

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/portico-gw/portico/internal/jsonstr"
)

// DefaultFormat is the format of a stage whose accessLogSettings has none:
// one JSON object per line.
const DefaultFormat = `{"requestId":"$context.requestId","apiId":"$context.apiId","stage":"$context.stage",` +
	`"eventType":"$context.eventType","routeKey":"$context.routeKey","connectionId":"$context.connectionId",` +
	`"ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod",` +
	`"path":"$context.path","protocol":"$context.protocol","status":"$context.status",` +
	`"responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency",` +
	`"disconnectStatusCode":"$context.disconnectStatusCode","error":"$context.error.message"}`

// requestTimeLayout is API Gateway's $context.requestTime (Common Log Format).
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// variable renders one $context variable of a record into b.
type variable func(b []byte, r *Record) []byte

// variables are the $context variables a format may use, by name after
// "$context.".
var variables = map[string]variable{
	"apiId":                     func(b []byte, r *Record) []byte { return str(b, r.APIID) },
	"stage":                     func(b []byte, r *Record) []byte { return str(b, r.Stage) },
	"requestId":                 func(b []byte, r *Record) []byte { return str(b, r.RequestID) },
	"extendedRequestId":         func(b []byte, r *Record) []byte { return str(b, r.RequestID) },
	"routeKey":                  func(b []byte, r *Record) []byte { return str(b, r.RouteKey) },
	"eventType":                 func(b []byte, r *Record) []byte { return str(b, r.EventType) },
	"connectionId":              func(b []byte, r *Record) []byte { return str(b, r.ConnectionID) },
	"domainName":                func(b []byte, r *Record) []byte { return str(b, r.DomainName) },
	"identity.sourceIp":         func(b []byte, r *Record) []byte { return str(b, r.SourceIP) },
	"identity.userAgent":        func(b []byte, r *Record) []byte { return str(b, r.UserAgent) },
	"httpMethod":                func(b []byte, r *Record) []byte { return str(b, r.HTTPMethod) },
	"path":                      func(b []byte, r *Record) []byte { return str(b, r.Path) },
	"protocol":                  func(b []byte, r *Record) []byte { return str(b, r.Protocol) },
	"error.message":             func(b []byte, r *Record) []byte { return str(b, r.ErrorMessage) },
	"error.messageString":       func(b []byte, r *Record) []byte { return quoted(b, r.ErrorMessage) },
	"integrationErrorMessage":   func(b []byte, r *Record) []byte { return str(b, r.IntegrationError) },
	"disconnectReason":          func(b []byte, r *Record) []byte { return str(b, r.DisconnectReason) },
	"status":                    func(b []byte, r *Record) []byte { return num(b, int64(r.Status)) },
	"integrationStatus":         func(b []byte, r *Record) []byte { return num(b, int64(r.IntegrationStatus)) },
	"integration.status":        func(b []byte, r *Record) []byte { return num(b, int64(r.IntegrationStatus)) },
	"disconnectStatusCode":      func(b []byte, r *Record) []byte { return num(b, int64(r.DisconnectStatusCode)) },
	"responseLength":            func(b []byte, r *Record) []byte { return numOrZero(b, r.ResponseLength, r.Status != 0) },
	"integrationLatency":        func(b []byte, r *Record) []byte { return millis(b, r.IntegrationLatency) },
	"integration.latency":       func(b []byte, r *Record) []byte { return millis(b, r.IntegrationLatency) },
	"responseLatency":           func(b []byte, r *Record) []byte { return millis(b, r.ResponseLatency) },
	"requestTime":               func(b []byte, r *Record) []byte { return timeCLF(b, r.RequestTime) },
	"requestTimeEpoch":          func(b []byte, r *Record) []byte { return epoch(b, r.RequestTime) },
	"connectedAt":               func(b []byte, r *Record) []byte { return epoch(b, r.ConnectedAt) },
	"integrationRequestLatency": func(b []byte, r *Record) []byte { return millis(b, r.IntegrationLatency) },
}

// Variables returns the names a format may use after "$context.", sorted.
func Variables() []string {
	names := make([]string, 0, len(variables))
	for n := range variables {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Record is what one access-log line can say. Zero fields render as "-".
type Record struct {
	APIID, Stage         string
	RequestID            string
	RouteKey             string
	EventType            string // CONNECT, MESSAGE, DISCONNECT; empty for HTTP APIs
	ConnectionID         string
	DomainName           string
	SourceIP             string
	UserAgent            string
	HTTPMethod           string
	Path                 string // the request path, never its query string
	Protocol             string // HTTP/1.1
	ErrorMessage         string // the gateway's error message ("Forbidden")
	IntegrationError     string
	DisconnectReason     string
	Status               int
	IntegrationStatus    int
	DisconnectStatusCode int
	// ResponseLength is the number of body bytes sent to the client; it
	// renders as "-" while Status is zero.
	ResponseLength int64
	// IntegrationLatency is how long the integration took; zero means
	// none ran.
	IntegrationLatency time.Duration
	ResponseLatency    time.Duration
	RequestTime        time.Time
	ConnectedAt        time.Time
}

// Format is a parsed accessLogSettings.format.
type Format struct {
	parts []part
}

type part struct {
	lit string
	v   variable // nil for a literal
}

// Error is a problem in a format. Offset is the byte offset of the variable.
type Error struct {
	Offset int
	Name   string
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("$context.%s (at byte %d): %s", e.Name, e.Offset, e.Msg)
}

// Parse parses a format. Every "$context." must be followed by a known
// variable name (see Variables); a "$" not followed by "context." is
// literal text. Parse returns an *Error for an unknown variable.
func Parse(s string) (*Format, error) {
	const prefix = "$context."
	f := &Format{}
	var lit strings.Builder
	for i := 0; i < len(s); {
		if !strings.HasPrefix(s[i:], prefix) {
			lit.WriteByte(s[i])
			i++
			continue
		}
		start := i + len(prefix)
		end := start
		for end < len(s) && nameByte(s[end]) {
			end++
		}
		name := strings.TrimRight(s[start:end], ".")
		end = start + len(name)
		v, ok := variables[name]
		if !ok {
			if name == "" {
				return nil, &Error{Offset: i, Name: name, Msg: "a variable name must follow $context."}
			}
			return nil, &Error{Offset: i, Name: name, Msg: "unknown variable; known: " + strings.Join(Variables(), ", ")}
		}
		if lit.Len() > 0 {
			f.parts = append(f.parts, part{lit: lit.String()})
			lit.Reset()
		}
		f.parts = append(f.parts, part{v: v})
		i = end
	}
	if lit.Len() > 0 {
		f.parts = append(f.parts, part{lit: lit.String()})
	}
	return f, nil
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
}

// Append renders r with f onto b.
func (f *Format) Append(b []byte, r *Record) []byte {
	for _, p := range f.parts {
		if p.v == nil {
			b = append(b, p.lit...)
		} else {
			b = p.v(b, r)
		}
	}
	return b
}

func str(b []byte, s string) []byte {
	if s == "" {
		return append(b, '-')
	}
	return jsonstr.AppendEscaped(b, s)
}

func quoted(b []byte, s string) []byte {
	if s == "" {
		return append(b, '-')
	}
	b = append(b, `\"`...)
	b = jsonstr.AppendEscaped(b, s)
	return append(b, `\"`...)
}

func num(b []byte, n int64) []byte {
	if n == 0 {
		return append(b, '-')
	}
	return strconv.AppendInt(b, n, 10)
}

func numOrZero(b []byte, n int64, known bool) []byte {
	if !known {
		return append(b, '-')
	}
	return strconv.AppendInt(b, n, 10)
}

func millis(b []byte, d time.Duration) []byte {
	if d <= 0 {
		return append(b, '-')
	}
	return strconv.AppendInt(b, max(d.Milliseconds(), 0), 10)
}

func timeCLF(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, '-')
	}
	return t.UTC().AppendFormat(b, requestTimeLayout)
}

func epoch(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, '-')
	}
	return strconv.AppendInt(b, t.UnixMilli(), 10)
}

// Sink is where lines go: standard output, standard error or a file opened
// for appending.
type Sink struct {
	mu sync.Mutex
	w  io.Writer // guarded by mu
	c  io.Closer // nil for stdout and stderr
}

// Open opens a destination: "stdout" or "" (standard output), "stderr", or
// a file path, created if absent and appended to.
func Open(destination string) (*Sink, error) {
	switch destination {
	case "", "stdout":
		return &Sink{w: os.Stdout}, nil
	case "stderr":
		return &Sink{w: os.Stderr}, nil
	}
	f, err := os.OpenFile(destination, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return &Sink{w: f, c: f}, nil
}

// NewSink returns a Sink writing to w (tests, embedding).
func NewSink(w io.Writer) *Sink { return &Sink{w: w} }

// Close closes a file destination. Lines logged afterwards are dropped.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w = io.Discard
	if s.c == nil {
		return nil
	}
	c := s.c
	s.c = nil
	return c.Close()
}

func (s *Sink) write(line []byte) {
	s.mu.Lock()
	_, _ = s.w.Write(line) // an access log that cannot be written is not the request's failure
	s.mu.Unlock()
}

// Logger renders records with a Format into a Sink.
type Logger struct {
	format *Format
	sink   *Sink
}

// NewLogger returns a Logger. Both arguments are required.
func NewLogger(f *Format, s *Sink) (*Logger, error) {
	if f == nil || s == nil {
		return nil, errors.New("accesslog: NewLogger needs a format and a sink")
	}
	return &Logger{format: f, sink: s}, nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Log writes one line for r. A nil Logger logs nothing, so that callers need
// no check.
func (l *Logger) Log(r *Record) {
	if l == nil {
		return
	}
	bp := bufPool.Get().(*[]byte)
	b := l.format.Append((*bp)[:0], r)
	b = append(b, '\n')
	l.sink.write(b)
	*bp = b
	bufPool.Put(bp)
}
