package authorizer

import (
	"sync"
	"time"
)

const (
	// maxCachedTokens bounds the verified-token cache of one JWT
	// authorizer. Tokens are a few hundred bytes to a few KB, so a full
	// cache holds a few MB at most.
	maxCachedTokens = 4096
	// tokenCacheMaxAge is the longest a verification is reused, whatever
	// the token's exp.
	tokenCacheMaxAge = 5 * time.Minute
)

// verifiedToken is what Authorize learnt from a token whose signature and
// claims it checked: the claims as the integration gets them, and the
// token's scopes.
type verifiedToken struct {
	claims     map[string]string // shared by every result served from it: read-only
	claimsJSON []byte            // claims encoded, shared likewise
	scopes     []string
	until      time.Time // min(exp, verification + tokenCacheMaxAge)
	keysAt     time.Time // the key fetch the signature was checked with (keySet.current)
}

// tokenCache remembers tokens that passed, so that a client sending the
// same token again costs a map lookup instead of an RSA verification and a
// JSON decode. Only accepted tokens are cached, never rejections. An entry
// is used while now is before until (never past the token's exp) and while
// the issuer's keys are those of the same fetch: a refetch (an unknown kid,
// or keys older than an hour) makes every token verify again, so a key
// rotated out stops accepting its tokens exactly as without the cache.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]*verifiedToken // guarded by mu; by the raw token
}

// get returns the verification of raw, when one stands at now with the
// keys of fetch keysAt.
func (c *tokenCache) get(raw string, now, keysAt time.Time) *verifiedToken {
	if keysAt.IsZero() {
		return nil
	}
	c.mu.Lock()
	v := c.m[raw]
	c.mu.Unlock()
	if v == nil || !now.Before(v.until) || !v.keysAt.Equal(keysAt) {
		return nil
	}
	return v
}

// put remembers v for raw. When the cache is full, expired entries are
// dropped, then arbitrary ones until there is room.
func (c *tokenCache) put(raw string, v *verifiedToken, now time.Time) {
	if v.keysAt.IsZero() || !now.Before(v.until) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*verifiedToken)
	}
	if _, ok := c.m[raw]; !ok && len(c.m) >= maxCachedTokens {
		for k, e := range c.m {
			if !now.Before(e.until) || !e.keysAt.Equal(v.keysAt) {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < maxCachedTokens {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[raw] = v
}

// len is the number of entries, for tests.
func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
