// Package certs serves a listener's TLS certificates: PEM files that can be
// replaced while the listener runs (Reload on SIGHUP), or certificates
// obtained and renewed by ACME (golang.org/x/crypto/acme/autocert).
//
// Certificates are handed out through tls.Config.GetCertificate from an
// atomic pointer, so a new certificate reaches new connections at once and
// open connections keep theirs.
//
// Concurrency: a Source is safe for concurrent use; GetCertificate runs on
// every handshake, Set and ACME renewals on other goroutines.
package certs

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sync/atomic"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// Config says where a listener's certificate comes from: files, or ACME.
type Config struct {
	// CertFile and KeyFile are a PEM certificate chain and its key.
	CertFile, KeyFile string
	// ACME, when set, obtains certificates automatically instead.
	ACME *ACME
}

// ACME configures automatic certificates.
type ACME struct {
	// Hosts are the only names certificates are requested for. Required.
	Hosts []string
	// Email is the account's contact. Optional.
	Email string
	// DirectoryURL is the CA's ACME directory. Empty means Let's Encrypt.
	DirectoryURL string
	// CacheDir keeps the account key and certificates across restarts.
	// Required: without it every restart would ask the CA again and soon
	// hit its rate limits.
	CacheDir string
}

// Source serves one listener's certificates.
type Source struct {
	cert atomic.Pointer[tls.Certificate] // static certificates
	mgr  *autocert.Manager               // nil for static certificates
}

// New returns a Source for c, reading the certificate files now.
func New(c Config) (*Source, error) {
	s := &Source{}
	if a := c.ACME; a != nil {
		if len(a.Hosts) == 0 {
			return nil, errors.New("certs: ACME needs at least one host")
		}
		if a.CacheDir == "" {
			return nil, errors.New("certs: ACME needs a cache directory")
		}
		s.mgr = &autocert.Manager{
			// Configuring ACME is accepting the CA's terms of service.
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(a.Hosts...),
			Cache:      autocert.DirCache(filepath.Clean(a.CacheDir)),
			Email:      a.Email,
		}
		if a.DirectoryURL != "" {
			s.mgr.Client = &acme.Client{DirectoryURL: a.DirectoryURL}
		}
		return s, nil
	}
	cert, err := Load(c.CertFile, c.KeyFile)
	if err != nil {
		return nil, err
	}
	s.cert.Store(cert)
	return s, nil
}

// Load reads and checks a PEM certificate chain and its key.
func Load(certFile, keyFile string) (*tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("certs: loading %s and %s: %w", certFile, keyFile, err)
	}
	return &cert, nil
}

// Set makes cert the certificate of new connections. It does nothing for an
// ACME source.
func (s *Source) Set(cert *tls.Certificate) {
	if s.mgr == nil && cert != nil {
		s.cert.Store(cert)
	}
}

// ACME reports whether s obtains its certificates by ACME.
func (s *Source) ACME() bool { return s.mgr != nil }

// Manager returns the ACME manager, or nil for static certificates.
func (s *Source) Manager() *autocert.Manager { return s.mgr }

// TLSConfig returns the listener's tls.Config: HTTP/1.1 only (WebSocket
// upgrades need it), TLS 1.2 or later, and for ACME the TLS-ALPN-01
// challenge protocol.
func (s *Source) TLSConfig() *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	if s.mgr != nil {
		c.GetCertificate = s.mgr.GetCertificate
		c.NextProtos = append(c.NextProtos, acme.ALPNProto)
		return c
	}
	c.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return s.cert.Load(), nil }
	return c
}

// HTTPHandler answers ACME HTTP-01 challenges and redirects every other
// request to https. It is nil for static certificates.
func (s *Source) HTTPHandler() http.Handler {
	if s.mgr == nil {
		return nil
	}
	return s.mgr.HTTPHandler(nil)
}
