package authorizer

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// rsaKey is one usable key of the issuer's JWKS.
type rsaKey struct {
	public *rsa.PublicKey
	alg    string // the JWK's alg, empty when it names none
}

// keySet is the issuer's JWKS, found through OIDC discovery and cached.
//
// A fetch (discovery, then JWKS) runs on the goroutine of the Authorize that
// needs it, detached from that call's cancellation so that one client going
// away cannot fail it for the others; concurrent callers wait for it instead
// of fetching too. Fetches start at most once per minRefetchInterval.
type keySet struct {
	discoveryURL string
	client       *http.Client
	now          func() time.Time

	mu          sync.Mutex
	keys        map[string]rsaKey // guarded by mu; by kid, from the last successful fetch
	fetchedAt   time.Time         // guarded by mu; start of the last successful fetch
	attemptedAt time.Time         // guarded by mu; start of the last fetch
	fetchErr    error             // guarded by mu; how the last fetch failed, nil after a success
	fetching    chan struct{}     // guarded by mu; non-nil while a fetch runs, closed when it ends
}

// lookup returns the key named kid. It fetches the issuer's keys when none
// have been fetched, when they are older than keyMaxAge, or when kid is not
// among them (key rotation), but not sooner than minRefetchInterval after the
// previous fetch. When a fetch fails, keys from an earlier fetch stay in use.
// Its errors are a *Deny, or ctx.Err() when ctx ends while it waits for
// another caller's fetch. fetchedAt names the fetch the key comes from
// (see current); it is zero for keys older than keyMaxAge.
func (s *keySet) lookup(ctx context.Context, kid string) (key rsaKey, fetchedAt time.Time, err error) {
	fetched := false // this call saw a fetch end, so it will not start one
	for {
		s.mu.Lock()
		key, found := s.keys[kid]
		now := s.now()
		if found && !s.fetchedAt.IsZero() && now.Sub(s.fetchedAt) < keyMaxAge {
			at := s.fetchedAt
			s.mu.Unlock()
			return key, at, nil
		}
		if ch := s.fetching; ch != nil {
			s.mu.Unlock()
			select {
			case <-ch:
				fetched = true
				continue
			case <-ctx.Done():
				return rsaKey{}, time.Time{}, ctx.Err()
			}
		}
		if fetched || (!s.attemptedAt.IsZero() && now.Sub(s.attemptedAt) < minRefetchInterval) {
			fetchErr := s.fetchErr
			s.mu.Unlock()
			switch {
			case found:
				return key, time.Time{}, nil // older than keyMaxAge, but the best there is
			case fetchErr != nil:
				return rsaKey{}, time.Time{}, denyInvalid(descKeysUnreadable, fetchErr.Error())
			default:
				return rsaKey{}, time.Time{}, denyInvalid(descKeyID, fmt.Sprintf("no key %q in the issuer's JWKS", kid))
			}
		}
		ch := make(chan struct{})
		s.fetching = ch
		s.attemptedAt = now
		s.mu.Unlock()

		keys, err := s.fetch(context.WithoutCancel(ctx))

		s.mu.Lock()
		if err == nil {
			s.keys = keys
			s.fetchedAt = now
		}
		s.fetchErr = err
		s.fetching = nil
		close(ch)
		s.mu.Unlock()
		fetched = true
	}
}

// current returns the start of the fetch whose keys are in use, or zero
// when they are older than keyMaxAge (the next lookup fetches again) or
// none were fetched. A verification made with keys of that fetch stands
// while current returns the same time: a refetch (key rotation, the hour)
// changes it.
func (s *keySet) current() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fetchedAt.IsZero() || s.now().Sub(s.fetchedAt) >= keyMaxAge {
		return time.Time{}
	}
	return s.fetchedAt
}

// fetch reads the discovery document, then the JWKS its jwks_uri names.
func (s *keySet) fetch(ctx context.Context) (map[string]rsaKey, error) {
	var discovery struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := s.getJSON(ctx, s.discoveryURL, &discovery); err != nil {
		return nil, fmt.Errorf("OIDC discovery: %w", err)
	}
	u, err := url.Parse(discovery.JWKSURI)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("OIDC discovery: %s: jwks_uri %q is not an absolute http or https URL", s.discoveryURL, discovery.JWKSURI)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := s.getJSON(ctx, discovery.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("JWKS: %w", err)
	}
	keys := make(map[string]rsaKey, len(set.Keys))
	for _, raw := range set.Keys {
		kid, key, ok := parseRSAKey(raw)
		if !ok {
			continue // another key type, an encryption key, or unreadable
		}
		if _, dup := keys[kid]; !dup {
			keys[kid] = key
		}
	}
	return keys, nil
}

// getJSON GETs url within fetchTimeout and decodes its 200 answer into v.
func (s *keySet) getJSON(ctx context.Context, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if len(body) > maxDocumentBytes {
		return fmt.Errorf("GET %s: document larger than %d bytes", url, maxDocumentBytes)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

// errNotRSA marks a JWK that is not an RSA signing key.
var errNotRSA = errors.New("not an RSA signing key")

// parseRSAKey reads one JWK (RFC 7517, RFC 7518 §6.3.1). ok is false for a
// key that is not an RSA signing key with a kid, or that cannot be read.
func parseRSAKey(raw json.RawMessage) (kid string, key rsaKey, ok bool) {
	var jwk struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Use string `json:"use"`
		Alg string `json:"alg"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	if err := json.Unmarshal(raw, &jwk); err != nil {
		return "", rsaKey{}, false
	}
	if jwk.Kty != "RSA" || jwk.Kid == "" || (jwk.Use != "" && jwk.Use != "sig") {
		return "", rsaKey{}, false
	}
	public, err := rsaPublicKey(jwk.N, jwk.E)
	if err != nil {
		return "", rsaKey{}, false
	}
	return jwk.Kid, rsaKey{public: public, alg: jwk.Alg}, true
}

// rsaPublicKey decodes a JWK's base64url modulus and exponent (padding, which
// RFC 7518 forbids but some issuers write, is tolerated).
func rsaPublicKey(n64, e64 string) (*rsa.PublicKey, error) {
	n64, e64 = strings.TrimRight(n64, "="), strings.TrimRight(e64, "=")
	nb, err := base64.RawURLEncoding.DecodeString(n64)
	if err != nil || len(nb) == 0 {
		return nil, errNotRSA
	}
	eb, err := base64.RawURLEncoding.DecodeString(e64)
	if err != nil || len(eb) == 0 || len(eb) > 4 {
		return nil, errNotRSA
	}
	e := 0
	for _, b := range eb {
		e = e<<8 | int(b)
	}
	if e < 3 || e%2 == 0 {
		return nil, errNotRSA
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: e}, nil
}
