package integration

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/nats-io/nats.go"
)

// natsIntegration sends the Lambda-format event over NATS (a Portico
// extension, integrationType NATS). URI forms:
//
//	nats:SUBJECT               request/reply: the reply is a Lambda proxy response, read by Spec.ProxyResponse's rules
//	nats:SUBJECT?mode=publish  fire and forget: the answer is an empty 200
//
// A reply carrying a "Function-Error" header is a *FunctionError, like
// X-Amz-Function-Error from Lambda. No responders on the subject is a
// failure, at once.
type natsIntegration struct {
	conn     func() *nats.Conn
	subject  string
	publish  bool
	deadline deadline
	parse    responseParser // the reply is read by the mode's proxy response rules
}

var _ Invoker = (*natsIntegration)(nil)

func newNATS(spec Spec, conn func() *nats.Conn, d deadline) (Invoker, error) {
	subject, publish, err := ParseNATSURI(spec.URI)
	if err != nil {
		return nil, err
	}
	if conn == nil {
		return nil, errors.New("NATS integrations need a NATS connection (Env.NATS)")
	}
	parse, err := newResponseParser(spec.ProxyResponse)
	if err != nil {
		return nil, err
	}
	return &natsIntegration{conn: conn, subject: subject, publish: publish, deadline: d, parse: parse}, nil
}

// ParseNATSURI splits "nats:SUBJECT[?mode=publish|request]".
func ParseNATSURI(uri string) (subject string, publish bool, err error) {
	rest, ok := strings.CutPrefix(uri, "nats:")
	if !ok {
		return "", false, fmt.Errorf("integrationUri %q: want nats:SUBJECT or nats:SUBJECT?mode=publish", uri)
	}
	subject, query, _ := strings.Cut(rest, "?")
	if subject == "" || strings.ContainsAny(subject, " \t\r\n*>") || strings.HasPrefix(subject, ".") || strings.HasSuffix(subject, ".") || strings.Contains(subject, "..") {
		return "", false, fmt.Errorf("integrationUri %q: %q is not a NATS subject to publish to (no spaces, wildcards or empty tokens)", uri, subject)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", false, fmt.Errorf("integrationUri %q: %w", uri, err)
	}
	for k := range q {
		if k != "mode" {
			return "", false, fmt.Errorf("integrationUri %q: unknown option %q (only mode)", uri, k)
		}
	}
	switch q.Get("mode") {
	case "", "request":
	case "publish":
		publish = true
	default:
		return "", false, fmt.Errorf("integrationUri %q: mode must be request or publish", uri)
	}
	return subject, publish, nil
}

// Invoke implements Invoker.
func (n *natsIntegration) Invoke(ctx context.Context, req *Request) (*Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nc := n.conn()
	if nc == nil {
		return nil, fmt.Errorf("NATS subject %s: %w", n.subject, nats.ErrConnectionClosed)
	}
	if n.publish {
		if err := nc.Publish(n.subject, req.Event); err != nil {
			return nil, fmt.Errorf("publishing the event to NATS subject %s: %w", n.subject, err)
		}
		return &Response{StatusCode: 200}, nil
	}
	if !nc.IsConnected() {
		return nil, fmt.Errorf("requesting NATS subject %s: %w", n.subject, nats.ErrConnectionClosed)
	}
	tctx, cancel := n.deadline.start(ctx)
	defer cancel()
	msg, err := nc.RequestWithContext(tctx, n.subject, req.Event)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("requesting NATS subject %s: %w", n.subject, n.deadline.check(tctx, err))
	}
	if fe := msg.Header.Get("Function-Error"); fe != "" {
		return nil, fmt.Errorf("requesting NATS subject %s: %w", n.subject, &FunctionError{Type: fe, Payload: msg.Data})
	}
	resp, err := n.parse(msg.Data)
	if err != nil {
		return nil, fmt.Errorf("requesting NATS subject %s: %w", n.subject, err)
	}
	return resp, nil
}
