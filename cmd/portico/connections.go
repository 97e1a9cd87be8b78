package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/portico-gw/portico/config"
)

const connectionsUsage = `Usage:
  portico connections list STAGE             every connection of the stage, on every node
  portico connections post ID DATA           PostToConnection (DATA "-" reads stdin)
  portico connections broadcast STAGE DATA   send DATA to every connection of the stage
  portico connections get ID                 GetConnection
  portico connections delete ID              DeleteConnection

Flags (before or after the arguments):
  -c, --config FILE   the gateway's configuration: its listen address, credentials and region
  --endpoint URL      the gateway's data-plane URL (default: http://{listen} from --config)
  --api-id ID         the API, when the config holds more than one WebSocket API
  --stage STAGE       the stage of post, get and delete (default: the API's only stage)
  --max-results N     list: connections per page (1-1000; default 100)
  --next-token T      list: the nextToken of the previous page

Requests are signed with SigV4 (service execute-api) with the config's first
credential, or without --config with AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY; the region is the config's, else AWS_REGION or
AWS_DEFAULT_REGION, else us-east-1. Answers with a body (get, list) are printed
as JSON on stdout. Exit codes: 0 success, 1 the gateway refused or could not be
reached (its error on stderr), 2 bad usage.
`

// connectionsTarget is where and as whom a connections command calls.
type connectionsTarget struct {
	root      string // http://host:port, plus /_aws/execute-api/{apiId} when needed
	stage     string // from --stage or the config; "" when unknown
	creds     aws.Credentials
	region    string
	usageHint string // why stage is unknown
}

func connectionsCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("connections", connectionsUsage)
	fs := c.flags
	path := c.configFlag()
	endpoint := fs.String("endpoint", "", "")
	apiID := fs.String("api-id", "", "")
	stage := fs.String("stage", "", "")
	maxResults := fs.Int("max-results", 0, "")
	nextToken := fs.String("next-token", "", "")
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "portico connections: "+format+"\n\n%s", append(a, connectionsUsage)...)
		return 2
	}
	// Flags may come before, between or after the arguments.
	var pos []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, connectionsUsage)
				return 0
			}
			return usageErr("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) == 0 {
		return usageErr("name a command: list, post, broadcast, get or delete")
	}
	cmd, pos := pos[0], pos[1:]
	want := map[string]int{"list": 1, "post": 2, "broadcast": 2, "get": 1, "delete": 1}
	n, ok := want[cmd]
	if !ok {
		return usageErr("unknown command %q", cmd)
	}
	if len(pos) != n {
		return usageErr("%s takes %d argument(s), got %d", cmd, n, len(pos))
	}
	if *maxResults != 0 && (*maxResults < 1 || *maxResults > 1000) {
		return usageErr("--max-results must be between 1 and 1000")
	}
	t, err := resolveConnectionsTarget(*path, *endpoint, *apiID, *stage)
	if err != nil {
		return usageErr("%v", err)
	}

	var method, rawPath string
	var body []byte
	query := url.Values{}
	switch cmd {
	case "list", "broadcast":
		if strings.ContainsAny(pos[0], "/?#") || pos[0] == "" {
			return usageErr("%q is not a stage name", pos[0])
		}
		if cmd == "list" {
			method, rawPath = http.MethodGet, "/"+pos[0]+"/@connections"
			if *maxResults != 0 {
				query.Set("maxResults", strconv.Itoa(*maxResults))
			}
			if *nextToken != "" {
				query.Set("nextToken", *nextToken)
			}
		} else {
			method, rawPath, body = http.MethodPost, "/"+pos[0]+"/@broadcast", []byte(pos[1])
		}
	default:
		if t.stage == "" {
			return usageErr("%s", t.usageHint)
		}
		rawPath = "/" + t.stage + "/@connections/" + url.PathEscape(pos[0])
		switch cmd {
		case "post":
			method, body = http.MethodPost, []byte(pos[1])
		case "get":
			method = http.MethodGet
		case "delete":
			method = http.MethodDelete
		}
	}
	if (cmd == "post" || cmd == "broadcast") && pos[1] == "-" {
		if body, err = io.ReadAll(os.Stdin); err != nil {
			fmt.Fprintln(stderr, "portico connections: reading stdin:", err)
			return 1
		}
	}
	u, err := url.Parse(t.root + rawPath)
	if err != nil {
		return usageErr("%v", err)
	}
	u.RawQuery = query.Encode()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, errType, out, err := signedCall(ctx, method, u, body, t.creds, t.region)
	if err != nil {
		fmt.Fprintln(stderr, "portico connections:", err)
		return 1
	}
	if status/100 != 2 {
		fmt.Fprintln(stderr, "portico connections:", describeError(status, errType, out))
		return 1
	}
	if len(out) > 0 {
		var pretty bytes.Buffer
		if json.Indent(&pretty, out, "", "  ") == nil {
			out = pretty.Bytes()
		}
		fmt.Fprintf(stdout, "%s\n", out)
	}
	return 0
}

// resolveConnectionsTarget finds the gateway's URL, credentials, region and,
// when it can, the stage, from the config file (path), --endpoint, --api-id
// and --stage. Its errors are usage errors.
func resolveConnectionsTarget(path, endpoint, apiID, stage string) (connectionsTarget, error) {
	t := connectionsTarget{stage: stage, region: firstEnv("AWS_REGION", "AWS_DEFAULT_REGION"),
		usageHint: "name the stage with --stage"}
	if path == "" && endpoint == "" {
		return t, errors.New("give --config FILE or --endpoint URL")
	}
	singleAPI := false
	if path != "" {
		f, err := loadConfigFile(path)
		if err != nil {
			return t, fmt.Errorf("--config: %v", err)
		}
		if f.Region != "" {
			t.region = f.Region
		}
		if len(f.Credentials) > 0 {
			t.creds = aws.Credentials{AccessKeyID: f.Credentials[0].AccessKeyID, SecretAccessKey: f.Credentials[0].SecretAccessKey}
		}
		singleAPI = len(f.APIs) == 1
		api, err := pickAPI(f, apiID)
		if err != nil {
			return t, err
		}
		apiID = api.APIID
		if t.stage == "" && len(api.Stages) == 1 {
			t.stage = api.Stages[0].StageName
		} else if t.stage == "" {
			t.usageHint = fmt.Sprintf("API %s has %d stages: name one with --stage", api.APIID, len(api.Stages))
		}
		if endpoint == "" {
			endpoint = "http://" + dialable(f.Listen)
		}
	} else {
		singleAPI = apiID == ""
	}
	if t.creds.AccessKeyID == "" {
		t.creds = aws.Credentials{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
			SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
	}
	if t.creds.AccessKeyID == "" || t.creds.SecretAccessKey == "" {
		return t, errors.New("no credentials: the config has none and AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is not set")
	}
	if t.region == "" {
		t.region = "us-east-1"
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return t, fmt.Errorf("--endpoint %q: want http(s)://host[:port]", endpoint)
	}
	t.root = strings.TrimSuffix(endpoint, "/")
	if !singleAPI {
		// A gateway with several APIs answers /{stage} for none of them.
		t.root += "/_aws/execute-api/" + url.PathEscape(apiID)
	}
	return t, nil
}

// pickAPI returns the WebSocket API named by apiID, or the config's only
// one.
func pickAPI(f *config.File, apiID string) (*config.API, error) {
	var ws []*config.API
	for i := range f.APIs {
		a := &f.APIs[i]
		if apiID != "" && a.APIID == apiID {
			return a, nil
		}
		if strings.EqualFold(a.ProtocolType, "WEBSOCKET") {
			ws = append(ws, a)
		}
	}
	ids := make([]string, len(ws))
	for i, a := range ws {
		ids[i] = a.APIID
	}
	switch {
	case apiID != "":
		return nil, fmt.Errorf("--api-id %q: the config has no such API (WebSocket APIs: %s)", apiID, strings.Join(ids, ", "))
	case len(ws) == 1:
		return ws[0], nil
	case len(ws) == 0:
		return nil, errors.New("the config holds no WebSocket API")
	}
	return nil, fmt.Errorf("the config holds %d WebSocket APIs (%s): name one with --api-id", len(ws), strings.Join(ids, ", "))
}

// dialable turns a listen address into one to connect to: an unspecified
// host (":8080", "0.0.0.0:8080", "[::]:8080") becomes 127.0.0.1.
func dialable(listen string) string {
	if listen == "" {
		return "127.0.0.1:8080"
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// signedCall sends one request signed as the AWS SDKs sign @connections
// calls and returns the status, x-amzn-ErrorType and body of the answer.
func signedCall(ctx context.Context, method string, u *url.URL, body []byte, creds aws.Credentials, region string) (int, string, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", region, time.Now()); err != nil {
		return 0, "", nil, err
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, "", nil, err
	}
	return resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), out, nil
}

// describeError renders a gateway error as the SDKs do: the error type and
// the message, with the status.
func describeError(status int, errType string, body []byte) string {
	var msg struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &msg)
	if msg.Message == "" && len(body) > 0 && !json.Valid(body) {
		msg.Message = strings.TrimSpace(string(body))
	}
	if errType == "" {
		errType = http.StatusText(status)
	}
	if msg.Message == "" {
		return fmt.Sprintf("%s (HTTP %d)", errType, status)
	}
	return fmt.Sprintf("%s: %s (HTTP %d)", errType, msg.Message, status)
}
