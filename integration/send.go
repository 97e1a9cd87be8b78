package integration

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
)

// sendDirect reports whether send may call c's Transport itself: c is a
// client from forwardClient (its CheckRedirect never follows) with no
// cookie Jar and no Timeout, so that Client.Do would add nothing but the
// bookkeeping it keeps to follow redirects.
func sendDirect(c *http.Client) bool { return c.Jar == nil && c.Timeout == 0 }

// send is Forward's c.Do(req). With direct (sendDirect(c)), it calls the
// Transport as Client.Do does, without the copies Do makes to follow
// redirects, which Forward never does (the request's URL and header, a
// closure and the list of hops: seven allocations per request). The
// results are Do's, errors wrapped in *url.Error as Do wraps them:
//
//   - a URL with a user name sends Basic Authorization unless the header
//     has an Authorization field;
//   - a RoundTripper's error is returned (ErrSchemeMismatch for an HTTP
//     answer to HTTPS), a nil response or a missing body is an error or an
//     empty body, as in net/http's send;
//   - a redirect that Do would try to follow (301, 302, 303; 307 and 308
//     unless the body cannot be sent again) and whose Location does not
//     parse is an error, its body closed; any other answer is returned.
//
// req must come from http.NewRequestWithContext with a non-nil Header
// that send may change.
func send(c *http.Client, direct bool, req *http.Request) (*http.Response, error) {
	if !direct {
		return c.Do(req)
	}
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	uerr := func(err error) error {
		return &url.Error{Op: urlErrorOp(req.Method), URL: stripPassword(req.URL), Err: err}
	}
	if u := req.URL.User; u != nil && req.Header.Get("Authorization") == "" {
		password, _ := u.Password()
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+password)))
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		if resp != nil {
			log.Printf("RoundTripper returned a response & error; ignoring response")
		}
		if tlsErr, ok := err.(tls.RecordHeaderError); ok && string(tlsErr.RecordHeader[:]) == "HTTP/" {
			err = http.ErrSchemeMismatch
		}
		return nil, uerr(err)
	}
	if resp == nil {
		return nil, uerr(fmt.Errorf("http: RoundTripper implementation (%T) returned a nil *Response with a nil error", rt))
	}
	if resp.Body == nil {
		if resp.ContentLength > 0 && req.Method != http.MethodHead {
			return nil, uerr(fmt.Errorf("http: RoundTripper implementation (%T) returned a *Response with content length %d but a nil Body", rt, resp.ContentLength))
		}
		resp.Body = io.NopCloser(strings.NewReader(""))
	}
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther:
	case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		if req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
			return resp, nil // the body cannot be sent again: Do returns the answer
		}
	default:
		return resp, nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return resp, nil
	}
	if _, err := req.URL.Parse(loc); err != nil {
		_ = resp.Body.Close()
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, uerr(fmt.Errorf("failed to parse Location header %q: %v", loc, err))
	}
	return resp, nil // Do would ask CheckRedirect, which says ErrUseLastResponse
}

// urlErrorOp is url.Error's Op as net/http's Client spells it.
func urlErrorOp(method string) string {
	if method == "" {
		return "Get"
	}
	for i := 0; i < len(method); i++ {
		if c := method[i]; c < ' ' || c > '~' {
			return method
		}
	}
	return method[:1] + strings.ToLower(method[1:])
}

// stripPassword is url.Error's URL as net/http's Client writes it.
func stripPassword(u *url.URL) string {
	if _, ok := u.User.Password(); ok {
		return strings.Replace(u.String(), u.User.String()+"@", u.User.Username()+":***@", 1)
	}
	return u.String()
}
