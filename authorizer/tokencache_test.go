package authorizer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// A token that passed is not verified again: the second request costs a
// lookup, gets the same claims, and the route's scopes are still checked
// on each request.
func TestTokenCacheHit(t *testing.T) {
	iss, a, _ := setup(t)
	token := sign(t, jwt.SigningMethodRS256, "k1", testKeys()[0], validClaims(iss))
	ctx := context.Background()
	first, err := a.Authorize(ctx, "Bearer "+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := a.Authorize(ctx, token, []string{"orders/read"})
	if err != nil {
		t.Fatal(err)
	}
	if n := a.verifications.Load(); n != 1 {
		t.Fatalf("verifications = %d, want 1", n)
	}
	if first.Claims["sub"] != "user-1" || second.Claims["sub"] != "user-1" || second.Claims["exp"] != first.Claims["exp"] {
		t.Errorf("claims %q and %q", first.Claims, second.Claims)
	}
	if first.Scopes != nil || fmt.Sprint(second.Scopes) != "[orders/read orders/write]" {
		t.Errorf("scopes %q and %q", first.Scopes, second.Scopes)
	}
	if _, err := a.Authorize(ctx, token, []string{"admin"}); asDeny(t, err).Status != 403 {
		t.Errorf("cached token, route scope it lacks: %v", err)
	}
	if n := a.verifications.Load(); n != 1 {
		t.Errorf("verifications = %d, want 1", n)
	}
}

// A cached token is refused once it expires, and no verification is reused
// longer than tokenCacheMaxAge.
func TestTokenCacheExpiry(t *testing.T) {
	iss, a, clk := setup(t)
	ctx := context.Background()
	short := sign(t, jwt.SigningMethodRS256, "k1", testKeys()[0], with(validClaims(iss), jwt.MapClaims{"exp": t0.Add(2 * time.Minute).Unix()}))
	long := sign(t, jwt.SigningMethodRS256, "k1", testKeys()[0], with(validClaims(iss), jwt.MapClaims{"exp": t0.Add(time.Hour).Unix()}))
	for _, tok := range []string{short, long} {
		if _, err := a.Authorize(ctx, tok, nil); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(2*time.Minute - time.Second)
	for _, tok := range []string{short, long} {
		if _, err := a.Authorize(ctx, tok, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := a.verifications.Load(); n != 2 {
		t.Fatalf("verifications = %d, want 2", n)
	}
	clk.Advance(time.Second) // short's exp
	if _, err := a.Authorize(ctx, short, nil); asDeny(t, err).WWWAuthenticate != invalidToken(descExpired) {
		t.Fatalf("cached token at its exp: %v", err)
	}
	if _, err := a.Authorize(ctx, long, nil); err != nil {
		t.Fatal(err)
	}
	if n := a.verifications.Load(); n != 3 {
		t.Fatalf("verifications = %d, want 3 (short again, long cached)", n)
	}
	clk.Advance(tokenCacheMaxAge - 2*time.Minute)
	if _, err := a.Authorize(ctx, long, nil); err != nil {
		t.Fatal(err)
	}
	if n := a.verifications.Load(); n != 4 {
		t.Errorf("verifications = %d, want 4 (long verified again after %v)", n, tokenCacheMaxAge)
	}
}

// Rejections are never cached, and a refetch of the keys (rotation)
// makes cached tokens verify again, so a key rotated out stops working as
// it would without the cache.
func TestTokenCacheRejectionsAndRotation(t *testing.T) {
	iss, a, clk := setup(t)
	ctx := context.Background()
	keys := testKeys()
	wrongAud := sign(t, jwt.SigningMethodRS256, "k1", keys[0], with(validClaims(iss), jwt.MapClaims{"aud": "other"}))
	for range 2 {
		if _, err := a.Authorize(ctx, wrongAud, nil); asDeny(t, err).WWWAuthenticate != invalidToken(descAudience) {
			t.Fatalf("wrong aud: %v", err)
		}
	}
	if n := a.verifications.Load(); n != 2 || a.verified.len() != 0 {
		t.Fatalf("verifications = %d, cached %d; want 2 and 0", n, a.verified.len())
	}
	old := sign(t, jwt.SigningMethodRS256, "k1", keys[0], validClaims(iss))
	if _, err := a.Authorize(ctx, old, nil); err != nil {
		t.Fatal(err)
	}
	iss.publish(publishedKey{kid: "k3", key: keys[2]})
	clk.Advance(11 * time.Second)
	if _, err := a.Authorize(ctx, sign(t, jwt.SigningMethodRS256, "k3", keys[2], validClaims(iss)), nil); err != nil {
		t.Fatal(err) // an unknown kid: the keys are fetched again
	}
	if _, err := a.Authorize(ctx, old, nil); asDeny(t, err).WWWAuthenticate != invalidToken(descKeyID) {
		t.Fatalf("cached token of a key rotated out: %v", err)
	}
}

// The cache holds at most maxCachedTokens entries, dropping expired ones
// first.
func TestTokenCacheBound(t *testing.T) {
	var c tokenCache
	keysAt := t0
	for i := range maxCachedTokens {
		c.put(fmt.Sprint("old", i), &verifiedToken{until: t0.Add(time.Minute), keysAt: keysAt}, t0)
	}
	c.put("fresh", &verifiedToken{until: t0.Add(time.Hour), keysAt: keysAt}, t0.Add(2*time.Minute))
	if n := c.len(); n != 1 {
		t.Fatalf("after the expired entries are dropped: %d entries, want 1", n)
	}
	now := t0.Add(3 * time.Minute)
	for i := range maxCachedTokens + 10 {
		c.put(fmt.Sprint("live", i), &verifiedToken{until: t0.Add(time.Hour), keysAt: keysAt}, now)
	}
	if n := c.len(); n != maxCachedTokens {
		t.Errorf("%d entries, want %d", n, maxCachedTokens)
	}
	newest := fmt.Sprint("live", maxCachedTokens+9)
	if c.get(newest, now, keysAt) == nil {
		t.Error("the newest entry is missing")
	}
	if c.get(newest, now, keysAt.Add(time.Second)) != nil {
		t.Error("an entry of another key fetch was served")
	}
}

// BenchmarkJWTAuthorize is one request's JWT authorizer: a token seen
// before (cached), and one verified (RS256 signature, claims decoded).
func BenchmarkJWTAuthorize(b *testing.B) {
	iss, a, _ := setup(b)
	token := "Bearer " + sign(b, jwt.SigningMethodRS256, "k1", testKeys()[0], validClaims(iss))
	ctx := context.Background()
	if _, err := a.Authorize(ctx, token, nil); err != nil {
		b.Fatal(err)
	}
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Authorize(ctx, token, []string{"orders/read"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verified", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a.verified.mu.Lock()
			clear(a.verified.m)
			a.verified.mu.Unlock()
			if _, err := a.Authorize(ctx, token, []string{"orders/read"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
