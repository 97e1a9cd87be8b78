package config

import (
	"net/url"
	"strings"

	"github.com/portico-gw/portico/internal/clientaddr"
)

// validateListeners checks the listener layer: TLS on the data plane and the
// admin listener, trusted proxies, timeouts and the connection cap. It does
// no I/O: certificate files are read when the server starts or reloads.
func validateListeners(f *File, d *decoder) {
	validateTLS(f.TLS, "tls", true, d)
	if f.AdminTLS != nil && f.Admin == "" {
		d.at("adminTls", "requires admin (the listener it secures), e.g. admin: 127.0.0.1:9090")
	}
	validateTLS(f.AdminTLS, "adminTls", false, d)
	if strings.TrimSpace(f.DataDir) != f.DataDir {
		d.at("dataDir", "%q: want a directory path without surrounding spaces", f.DataDir)
	}
	for i, p := range f.TrustedProxies {
		if _, err := clientaddr.ParsePrefix(p); err != nil {
			d.at(indexKey("trustedProxies", i), "%s", err.Error())
		}
	}
	for _, t := range []struct {
		key string
		v   Duration
	}{{"timeouts.readHeader", f.Timeouts.ReadHeader}, {"timeouts.readBody", f.Timeouts.ReadBody}, {"timeouts.idle", f.Timeouts.Idle}} {
		if t.v < 0 {
			d.at(t.key, "%s: want a positive duration, or 0 for the default", t.v)
		}
	}
}

// validateTLS checks one listener's tls block; acmeOK says whether the
// listener may use ACME (the data plane: public hosts).
func validateTLS(t *TLS, k string, acmeOK bool, d *decoder) {
	if t == nil {
		return
	}
	files := t.CertFile != "" || t.KeyFile != ""
	switch {
	case t.ACME != nil && !acmeOK:
		d.at(k+".acme", "ACME serves public hosts on the data plane; give the admin listener certFile and keyFile")
	case t.ACME != nil && files:
		d.at(k, "certFile/keyFile and acme exclude each other: choose one")
	case t.ACME == nil && !files:
		d.at(k, "want certFile and keyFile, or acme: {hosts: [...]}")
	case files && t.CertFile == "":
		d.at(k+".certFile", "required with keyFile: the PEM certificate chain")
	case files && t.KeyFile == "":
		d.at(k+".keyFile", "required with certFile: the PEM private key")
	}
	if a := t.ACME; a != nil && acmeOK {
		validateACME(a, k+".acme", d)
	}
}

func validateACME(a *ACME, k string, d *decoder) {
	if len(a.Hosts) == 0 {
		d.at(k+".hosts", "required: the public names to obtain certificates for, e.g. [ws.example.com]")
	}
	for i, h := range a.Hosts {
		if !hostnameOK(h) {
			d.at(indexKey(k+".hosts", i), "%q: want a DNS name such as ws.example.com (no scheme, port, IP address or wildcard)", h)
		}
	}
	if a.Email != "" && (!strings.Contains(a.Email, "@") || strings.ContainsAny(a.Email, " \t\r\n<>")) {
		d.at(k+".email", "%q is not an email address", a.Email)
	}
	if a.DirectoryURL != "" {
		u, err := url.Parse(a.DirectoryURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			d.at(k+".directoryUrl", "%q: want the ACME directory's URL, e.g. https://acme-staging-v02.api.letsencrypt.org/directory", a.DirectoryURL)
		}
	}
	if a.HTTPListen != "" {
		checkHostPort(d, k+".httpListen", a.HTTPListen)
	}
}

// hostnameOK reports whether h is a DNS name an ACME CA would certify:
// dot-separated labels of letters, digits and hyphens, not an IP address.
func hostnameOK(h string) bool {
	if h == "" || len(h) > 253 || strings.Trim(h, "0123456789.") == "" {
		return false
	}
	for l := range strings.SplitSeq(h, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
