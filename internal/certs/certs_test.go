package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/acme"
)

// writeCert writes a self-signed certificate for 127.0.0.1 named cn.
func writeCert(t testing.TB, dir, cn string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, cn+".pem"), filepath.Join(dir, cn+"-key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestStaticSetServesNewHandshakes(t *testing.T) {
	dir := t.TempDir()
	c1, k1 := writeCert(t, dir, "one")
	c2, k2 := writeCert(t, dir, "two")
	s, err := New(Config{CertFile: c1, KeyFile: k1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.TLSConfig()
	if s.ACME() || s.HTTPHandler() != nil || cfg.NextProtos[0] != "http/1.1" || len(cfg.NextProtos) != 1 {
		t.Fatalf("static source: ACME %v, NextProtos %v", s.ACME(), cfg.NextProtos)
	}
	cn := func() string {
		c, err := cfg.GetCertificate(&tls.ClientHelloInfo{})
		if err != nil {
			t.Fatal(err)
		}
		x, err := x509.ParseCertificate(c.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		return x.Subject.CommonName
	}
	if got := cn(); got != "one" {
		t.Fatalf("served %q", got)
	}
	next, err := Load(c2, k2)
	if err != nil {
		t.Fatal(err)
	}
	s.Set(next)
	if got := cn(); got != "two" {
		t.Fatalf("after Set, served %q", got)
	}
	// A key that does not match its certificate is refused.
	if _, err := Load(c1, k2); err == nil {
		t.Error("Load accepted a mismatched key")
	}
	if _, err := New(Config{CertFile: filepath.Join(dir, "missing.pem"), KeyFile: k1}); err == nil {
		t.Error("New accepted a missing file")
	}
}

// TestACMEConstruction checks what can be checked without a CA: the
// manager's policy, cache, directory and protocols. Obtaining a
// certificate needs a reachable ACME directory and public DNS.
func TestACMEConstruction(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Config{ACME: &ACME{Hosts: []string{"ws.example.com"}, Email: "ops@example.com",
		DirectoryURL: "https://acme-staging-v02.api.letsencrypt.org/directory", CacheDir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	m := s.Manager()
	if !s.ACME() || m.Email != "ops@example.com" || m.Client.DirectoryURL != "https://acme-staging-v02.api.letsencrypt.org/directory" {
		t.Fatalf("manager = %+v", m)
	}
	if err := m.HostPolicy(t.Context(), "ws.example.com"); err != nil {
		t.Errorf("policy refused its host: %v", err)
	}
	if err := m.HostPolicy(t.Context(), "evil.example.com"); err == nil {
		t.Error("policy accepted another host")
	}
	cfg := s.TLSConfig()
	if len(cfg.NextProtos) != 2 || cfg.NextProtos[1] != acme.ALPNProto {
		t.Errorf("NextProtos = %v", cfg.NextProtos)
	}
	// A handshake for a host outside the policy fails without asking the CA.
	if _, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "evil.example.com"}); err == nil {
		t.Error("GetCertificate served a host outside the policy")
	}
	// The HTTP-01 handler redirects ordinary requests to https.
	rec := httptest.NewRecorder()
	s.HTTPHandler().ServeHTTP(rec, httptest.NewRequest("GET", "http://ws.example.com/dev", nil))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "https://ws.example.com/dev" {
		t.Errorf("HTTP handler: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	for _, bad := range []ACME{{CacheDir: dir}, {Hosts: []string{"a.example.com"}}} {
		if _, err := New(Config{ACME: &bad}); err == nil {
			t.Errorf("New accepted %+v", bad)
		}
	}
}
