// Command chat is Portico's chat example: a backend that receives API
// Gateway's WebSocket events over HTTP (an AWS_PROXY integration to an http
// URL), keeps the connection IDs, and broadcasts each "sendmessage" by
// POSTing to every connection's @connections callback URL with the
// aws-sdk-go-v2 apigatewaymanagementapi client, exactly as a Lambda function
// behind API Gateway would. It also serves a small chat page.
//
// By default it also runs the gateway in-process with portico.yaml, so one
// command brings everything up:
//
//	go run ./examples/chat
//
// With -backend-only it runs just the backend, for use with
// `go run ./cmd/portico serve --config examples/chat/portico.yaml`.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

//go:embed static
var static embed.FS

func main() {
	_, self, _, _ := runtime.Caller(0)
	cfgPath := flag.String("config", filepath.Join(filepath.Dir(self), "portico.yaml"), "gateway configuration `file`")
	listen := flag.String("listen", "127.0.0.1:9000", "backend `address` (events and the chat page)")
	backendOnly := flag.Bool("backend-only", false, "run only the backend; start the gateway yourself")
	accessKey := flag.String("access-key-id", "AKIDPORTICOCHAT", "access key for @connections calls")
	secretKey := flag.String("secret-access-key", "portico-chat-example-secret", "secret key for @connections calls")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	b := NewBackend(*accessKey, *secretKey, log)
	bsrv := &http.Server{Addr: *listen, Handler: Handler(b), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := bsrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("backend", "error", err)
			stop()
		}
	}()
	log.Info("chat backend and page", "url", "http://"+*listen+"/")

	if *backendOnly {
		<-ctx.Done()
	} else {
		file, err := config.Load(*cfgPath)
		if err != nil {
			fmt.Fprintf(os.Stderr, "chat: %v\n", err)
			os.Exit(2)
		}
		gw, err := portico.New(portico.Config{File: file, Logger: log})
		if err != nil {
			fmt.Fprintln(os.Stderr, "chat:", err)
			os.Exit(2)
		}
		if err := gw.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "chat:", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = bsrv.Shutdown(sctx)
}

// Handler serves the backend's events on POST /events and the chat page on
// GET /.
func Handler(b *Backend) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /events", b)
	page, _ := fs.Sub(static, "static")
	mux.Handle("GET /", http.FileServerFS(page))
	return mux
}

// Backend handles the chat's WebSocket events.
type Backend struct {
	creds aws.CredentialsProvider
	log   *slog.Logger

	mu    sync.Mutex
	conns map[string]string // connection ID → callback endpoint; guarded by mu
}

// NewBackend returns a backend that signs @connections calls with the key pair.
func NewBackend(accessKeyID, secret string, log *slog.Logger) *Backend {
	return &Backend{
		creds: credentials.NewStaticCredentialsProvider(accessKeyID, secret, ""),
		log:   log,
		conns: make(map[string]string),
	}
}

type proxyResponse struct {
	StatusCode int    `json:"statusCode"`
	Body       string `json:"body,omitempty"`
}

// ServeHTTP receives one Lambda proxy event and answers a Lambda proxy response.
func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev events.APIGatewayWebsocketProxyRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&ev); err != nil {
		http.Error(w, "bad event: "+err.Error(), http.StatusBadRequest)
		return
	}
	rc := ev.RequestContext
	// The callback endpoint, as a Lambda function computes it.
	endpoint := "http://" + rc.DomainName + "/" + rc.Stage
	resp := proxyResponse{StatusCode: 200}
	switch rc.EventType {
	case "CONNECT":
		b.mu.Lock()
		b.conns[rc.ConnectionID] = endpoint
		b.mu.Unlock()
	case "DISCONNECT":
		b.mu.Lock()
		delete(b.conns, rc.ConnectionID)
		b.mu.Unlock()
	case "MESSAGE":
		switch rc.RouteKey {
		case "sendmessage":
			var msg struct {
				Data string `json:"data"`
			}
			_ = json.Unmarshal([]byte(ev.Body), &msg)
			out, _ := json.Marshal(map[string]string{"from": rc.ConnectionID, "data": msg.Data})
			b.broadcast(r.Context(), out)
		case "whoami":
			out, _ := json.Marshal(map[string]string{"connectionId": rc.ConnectionID, "sourceIp": rc.Identity.SourceIP})
			resp.Body = string(out)
		default:
			resp.Body = `{"error":"unknown action; send {\"action\":\"sendmessage\",\"data\":\"...\"}"}`
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// broadcast posts data to every known connection, forgetting those that are gone.
func (b *Backend) broadcast(ctx context.Context, data []byte) {
	b.mu.Lock()
	targets := make(map[string]string, len(b.conns))
	for id, ep := range b.conns {
		targets[id] = ep
	}
	b.mu.Unlock()
	for id, ep := range targets {
		client := apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
			Region:       "us-east-1",
			Credentials:  b.creds,
			BaseEndpoint: aws.String(ep),
		})
		_, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
			ConnectionId: aws.String(id),
			Data:         data,
		})
		var gone *types.GoneException
		switch {
		case errors.As(err, &gone):
			b.mu.Lock()
			delete(b.conns, id)
			b.mu.Unlock()
		case err != nil:
			b.log.Warn("post to connection", "connection_id", id, "error", err)
		}
	}
}
