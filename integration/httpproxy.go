package integration

import (
	"context"
	"net/http"
)

// httpProxy is an HTTP_PROXY integration: the client's payload goes to the
// backend and the backend's answer comes back whole; there is no integration
// response.
type httpProxy struct {
	backend *httpBackend
}

var _ Invoker = (*httpProxy)(nil)

func newHTTPProxy(spec Spec, client *http.Client, d deadline) (*httpProxy, error) {
	backend, err := newHTTPBackend(spec, client, d)
	if err != nil {
		return nil, err
	}
	return &httpProxy{backend: backend}, nil
}

// Invoke implements Invoker. Any HTTP status is a result; only transport
// failures are errors.
func (p *httpProxy) Invoke(ctx context.Context, req *Request) (*Response, error) {
	status, header, body, err := p.backend.send(ctx, req, req.Body)
	if err != nil {
		return nil, err
	}
	return &Response{StatusCode: status, Header: endToEndHeader(header), Body: body}, nil
}
