package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The capacity-cluster scenario runs three `portico serve` processes
// clustered over their embedded NATS servers, one process per node as in
// production (one process here holds at most ~19,900 sockets), and opens
// o.Conns connections spread over them from bench-client processes. The
// count is taken the way an operator would: the paged @connections listing
// of one node, which gathers every node's connections over NATS.

const clusterNodes = 3

// emptySHA256 is the payload hash of a request without a body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// StartCluster runs clusterNodes gateway processes of this executable.
func StartCluster() (*Target, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "portico-bench-cluster")
	if err != nil {
		return nil, err
	}
	var http, routes []int
	for i := 0; i < clusterNodes; i++ {
		a, b, err := freePorts()
		if err != nil {
			return nil, err
		}
		http, routes = append(http, a), append(routes, b)
	}
	var procs []*exec.Cmd
	stopAll := func() {
		for _, p := range procs {
			_ = p.Process.Signal(os.Interrupt)
		}
		for _, p := range procs {
			_ = p.Wait()
		}
		os.RemoveAll(dir)
	}
	var urls []string
	for i := 0; i < clusterNodes; i++ {
		var peers []string
		for j := 0; j < clusterNodes; j++ {
			if j != i {
				peers = append(peers, fmt.Sprintf("nats-route://127.0.0.1:%d", routes[j]))
			}
		}
		cfg := gatewayConfig + fmt.Sprintf("listen: 127.0.0.1:%d\nnats:\n  cluster:\n    name: bench\n    listen: 127.0.0.1:%d\n    routes: [%s]\n",
			http[i], routes[i], strings.Join(peers, ", "))
		path := filepath.Join(dir, fmt.Sprintf("node%d.yaml", i))
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			stopAll()
			return nil, err
		}
		cmd := exec.Command(exe, "serve", "--config", path, "--log-level", "warn")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			stopAll()
			return nil, fmt.Errorf("starting node %d: %w", i, err)
		}
		procs = append(procs, cmd)
		urls = append(urls, fmt.Sprintf("ws://127.0.0.1:%d/b", http[i]))
	}
	base := fmt.Sprintf("http://127.0.0.1:%d/b/@connections", http[0])
	// Every node must answer the listing before the cluster counts as up.
	ready := waitFor(func() bool {
		_, err := listAll(base)
		return err == nil
	}, 30*time.Second)
	if !ready {
		stopAll()
		return nil, fmt.Errorf("the %d bench nodes did not start", clusterNodes)
	}
	time.Sleep(2 * time.Second) // let the routes form
	return &Target{
		Name:   "cluster",
		WSURL:  urls[0],
		WSURLs: urls,
		IDs: func() []string {
			ids, _ := listAll(base)
			return ids
		},
		Close: stopAll,
	}, nil
}

// listAll pages through GET {base}?maxResults=1000, SigV4-signed.
func listAll(base string) ([]string, error) {
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: benchAccessKey, SecretAccessKey: benchSecret}
	var ids []string
	token := ""
	for {
		u := base + "?maxResults=1000"
		if token != "" {
			u += "&nextToken=" + url.QueryEscape(token)
		}
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		if err := signer.SignHTTP(context.Background(), creds, req, emptySHA256, "execute-api", "us-east-1", time.Now()); err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, &StatusError{Path: req.URL.Path, Code: resp.StatusCode}
		}
		var page struct {
			Items []struct {
				ConnectionID string `json:"connectionId"`
			} `json:"items"`
			NextToken string `json:"nextToken"`
		}
		if err := json.Unmarshal(buf.Bytes(), &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			ids = append(ids, it.ConnectionID)
		}
		if page.NextToken == "" {
			return ids, nil
		}
		token = page.NextToken
	}
}

// runClusterCapacity opens o.Conns connections spread over the target's
// nodes and counts what the cluster holds.
func runClusterCapacity(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	exe := o.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	urls := t.WSURLs
	if len(urls) == 0 {
		urls = []string{t.WSURL}
	}
	// Spread evenly: one client process per node at least.
	per := (o.Conns + len(urls) - 1) / len(urls)
	var stops []func()
	defer func() {
		for _, s := range stops {
			s()
		}
	}()
	start := time.Now()
	opened := 0
	for i, u := range urls {
		n := min(per, o.Conns-opened)
		if n <= 0 {
			break
		}
		cp, err := spawnClients(ctx, exe, []string{u}, n, false)
		stops = append(stops, cp.stop)
		if err != nil {
			return nil, fmt.Errorf("node %d: %w", i, err)
		}
		opened += n
	}
	dial := time.Since(start)
	var held int
	waitFor(func() bool { held = len(t.IDs()); return held >= o.Conns }, 60*time.Second)
	return map[string]float64{
		"held":          float64(held),
		"failed":        float64(o.Conns - opened), // a failed handshake stops its process's run
		"nodes":         float64(len(urls)),
		"conns_per_sec": float64(opened) / dial.Seconds(),
	}, nil
}
