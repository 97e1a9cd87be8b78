package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
)

const (
	// Audience is the aud of the tokens the example's issuer mints, and the
	// audience its JWT authorizer accepts.
	Audience = "portico-example"
	// DemoAPIToken is the X-Api-Token value the Lambda authorizer allows.
	DemoAPIToken = "letmein"
	// keyID names the issuer's signing key in its JWKS and in tokens.
	keyID = "example-key"
	// maxFileBytes bounds one stored file; the gateway refuses bodies over
	// 10 MB before they get here.
	maxFileBytes = 16 << 20
	// maxStoreBytes bounds the whole in-memory file store.
	maxStoreBytes = 64 << 20
)

// Backend is everything behind the example's gateway, on one address:
//
//   - POST /lambda: the Lambda function of the AWS_PROXY routes. It receives
//     payload format 2.0 events over HTTP and answers Lambda responses,
//     with aws-lambda-go's events types, as a function deployed behind API
//     Gateway would.
//   - POST /authorize: the REQUEST Lambda authorizer, with simple responses.
//   - GET /.well-known/openid-configuration and GET /jwks: a minimal OIDC
//     issuer, whose RSA key is generated when the backend starts.
//   - GET /token?scope=...: mints a token of that issuer. This is a demo
//     shortcut, not part of any gateway flow: a real issuer authenticates
//     the user first. It is reached directly, not through the gateway.
//   - /files/{name}: a plain HTTP service (PUT, GET, DELETE) for the
//     HTTP_PROXY route, kept in memory.
//
// A Backend is safe for concurrent use.
type Backend struct {
	issuer string
	key    *rsa.PrivateKey
	log    *slog.Logger
	mux    *http.ServeMux

	mu     sync.Mutex
	files  map[string][]byte // by name; guarded by mu
	stored int               // bytes in files; guarded by mu
}

// NewBackend returns a backend whose issuer is issuer, the URL the backend
// is reached at (http://127.0.0.1:9100), with a fresh RSA signing key. A nil
// log discards.
func NewBackend(issuer string, log *slog.Logger) (*Backend, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generating the issuer's key: %w", err)
	}
	b := &Backend{
		issuer: strings.TrimSuffix(issuer, "/"),
		key:    key,
		log:    log,
		mux:    http.NewServeMux(),
		files:  make(map[string][]byte),
	}
	b.mux.Handle("POST /lambda", lambdaHandler(b.function, log))
	b.mux.Handle("POST /authorize", lambdaHandler(b.authorize, log))
	b.mux.HandleFunc("GET /.well-known/openid-configuration", b.discovery)
	b.mux.HandleFunc("GET /jwks", b.jwks)
	b.mux.HandleFunc("GET /token", b.token)
	b.mux.HandleFunc("/files/{name...}", b.file)
	return b, nil
}

// ServeHTTP serves the backend's endpoints.
func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.mux.ServeHTTP(w, r) }

// lambdaHandler serves fn the way a Lambda runtime runs a handler: the body
// is the event, decoded into In; fn's result is encoded as the response. An
// error is reported as a function error (X-Amz-Function-Error, which the
// gateway answers with 500).
func lambdaHandler[In, Out any](fn func(context.Context, In) (Out, error), log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in In
		err := json.NewDecoder(io.LimitReader(r.Body, 10<<20)).Decode(&in)
		var out Out
		if err == nil {
			out, err = fn(r.Context(), in)
		}
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			log.Warn("function failed", "path", r.URL.Path, "error", err)
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			w.WriteHeader(http.StatusOK)
			_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error(), "errorType": "Error"})
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	})
}

// function is the Lambda function behind the AWS_PROXY routes. Like a
// function shared by several routes, it dispatches on the event's routeKey.
func (b *Backend) function(_ context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	auth := ev.RequestContext.Authorizer
	switch ev.RouteKey {
	case "GET /public/hello":
		name := ev.QueryStringParameters["name"]
		if name == "" {
			name = "world"
		}
		return jsonResponse(http.StatusOK, struct {
			Message  string `json:"message"`
			RouteKey string `json:"routeKey"`
			Stage    string `json:"stage"`
		}{"hello, " + name, ev.RouteKey, ev.RequestContext.Stage})

	case "GET /me":
		if auth == nil || auth.JWT == nil {
			return events.APIGatewayV2HTTPResponse{}, errors.New("no JWT authorizer context")
		}
		return jsonResponse(http.StatusOK, struct {
			Claims map[string]string `json:"claims"`
			Scopes []string          `json:"scopes,omitempty"`
		}{auth.JWT.Claims, auth.JWT.Scopes})

	case "POST /orders":
		if auth == nil || auth.JWT == nil {
			return events.APIGatewayV2HTTPResponse{}, errors.New("no JWT authorizer context")
		}
		body := []byte(ev.Body)
		if ev.IsBase64Encoded {
			var err error
			if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
				return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("decoding the body: %w", err)
			}
		}
		var order struct {
			Item     string `json:"item"`
			Quantity int    `json:"quantity"`
		}
		if err := json.Unmarshal(body, &order); err != nil || order.Item == "" || order.Quantity < 1 {
			return jsonResponse(http.StatusBadRequest, map[string]string{"message": `want {"item": "...", "quantity": n}`})
		}
		return jsonResponse(http.StatusCreated, map[string]any{"order": order, "placedBy": auth.JWT.Claims["sub"]})

	case "GET /reports/{id}":
		var team any
		if auth != nil {
			team = auth.Lambda["team"]
		}
		return jsonResponse(http.StatusOK, map[string]any{"report": ev.PathParameters["id"], "team": team})
	}
	return jsonResponse(http.StatusNotFound, map[string]string{"message": "no handler for " + ev.RouteKey})
}

// jsonResponse is a payload format 2.0 response with a JSON body.
func jsonResponse(status int, v any) (events.APIGatewayV2HTTPResponse, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body) + "\n",
	}, nil
}

// authorize is the REQUEST Lambda authorizer (payload format 2.0, simple
// responses): it allows the demo token and gives the routes its team.
func (b *Backend) authorize(_ context.Context, ev events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	token := ev.Headers["x-api-token"] // 2.0 events have lower-case header names
	if subtle.ConstantTimeCompare([]byte(token), []byte(DemoAPIToken)) != 1 {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
	}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{
		IsAuthorized: true,
		Context:      map[string]any{"team": "blue"},
	}, nil
}

// discovery serves the OpenID Provider configuration: the gateway's JWT
// authorizer reads jwks_uri from it.
func (b *Backend) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]string{"issuer": b.issuer, "jwks_uri": b.issuer + "/jwks"})
}

// jwks serves the issuer's public key.
func (b *Backend) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := b.key.PublicKey
	writeJSON(w, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": keyID,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// token mints a one-hour token for the user demo-user, with the scopes of
// the scope query parameter (space-separated). Demo only: it asks for no
// credentials.
func (b *Backend) token(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	claims := jwt.MapClaims{
		"iss": b.issuer,
		"aud": Audience,
		"sub": "demo-user",
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
	if scope := r.URL.Query().Get("scope"); scope != "" {
		claims["scope"] = scope
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = keyID
	s, err := tok.SignedString(b.key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, s+"\n")
}

// file is the plain HTTP service behind the HTTP_PROXY route: PUT stores
// the body under the name, GET returns it, DELETE removes it. Bodies are
// read and written as streams, as the gateway forwards them.
func (b *Backend) file(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if name == "" {
		http.Error(w, "no file name", http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodPut:
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFileBytes))
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		b.mu.Lock()
		grown := b.stored - len(b.files[name]) + len(data)
		if grown > maxStoreBytes {
			b.mu.Unlock()
			http.Error(w, "the store is full", http.StatusInsufficientStorage)
			return
		}
		b.files[name], b.stored = data, grown
		b.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "stored %d bytes as %s (forwarded for %s)\n", len(data), name, r.Header.Get("X-Forwarded-For"))
	case http.MethodGet, http.MethodHead:
		b.mu.Lock()
		data, ok := b.files[name]
		b.mu.Unlock()
		if !ok {
			http.Error(w, "no file "+name, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Header().Set("Content-Type", http.DetectContentType(data))
		if r.Method == http.MethodGet {
			_, _ = w.Write(data)
		}
	case http.MethodDelete:
		b.mu.Lock()
		b.stored -= len(b.files[name])
		delete(b.files, name)
		b.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
