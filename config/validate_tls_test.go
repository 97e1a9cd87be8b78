package config

import (
	"testing"
	"time"
)

func TestListenerValidationErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{"tls empty", "tls: {}\n" + minimal, []string{"f.yaml:1:6: tls: want certFile and keyFile, or acme: {hosts: [...]}"}},
		{"tls key missing", "tls: {certFile: c.pem}\n" + minimal, []string{"f.yaml:1:6: tls.keyFile: required with certFile: the PEM private key"}},
		{"tls cert missing", "tls: {keyFile: k.pem}\n" + minimal, []string{"f.yaml:1:6: tls.certFile: required with keyFile: the PEM certificate chain"}},
		{"tls both", "tls: {certFile: c.pem, keyFile: k.pem, acme: {hosts: [a.example.com]}}\n" + minimal,
			[]string{"f.yaml:1:6: tls: certFile/keyFile and acme exclude each other: choose one"}},
		{"acme", "tls:\n  acme:\n    hosts: [\"*.example.com\", 10.0.0.1, \"a.example.com:443\", ok.example.com]\n    email: nobody\n    directoryUrl: acme.example.com\n    httpListen: \"80\"\n" + minimal, []string{
			`f.yaml:3:13: tls.acme.hosts[0]: "*.example.com": want a DNS name such as ws.example.com (no scheme, port, IP address or wildcard)`,
			`f.yaml:3:30: tls.acme.hosts[1]: "10.0.0.1": want a DNS name such as ws.example.com (no scheme, port, IP address or wildcard)`,
			`f.yaml:3:40: tls.acme.hosts[2]: "a.example.com:443": want a DNS name such as ws.example.com (no scheme, port, IP address or wildcard)`,
			`f.yaml:4:12: tls.acme.email: "nobody" is not an email address`,
			`f.yaml:5:19: tls.acme.directoryUrl: "acme.example.com": want the ACME directory's URL, e.g. https://acme-staging-v02.api.letsencrypt.org/directory`,
			`f.yaml:6:17: tls.acme.httpListen: "80": want host:port, e.g. 127.0.0.1:8080`,
		}},
		{"acme no hosts", "tls: {acme: {}}\n" + minimal, []string{
			"f.yaml:1:13: tls.acme.hosts: required: the public names to obtain certificates for, e.g. [ws.example.com]",
		}},
		{"adminTls without admin", "adminTls: {certFile: c.pem, keyFile: k.pem}\n" + minimal, []string{
			"f.yaml:1:11: adminTls: requires admin (the listener it secures), e.g. admin: 127.0.0.1:9090",
		}},
		{"adminTls acme", "admin: 127.0.0.1:9090\nadminTls: {acme: {hosts: [a.example.com]}}\n" + minimal, []string{
			"f.yaml:2:18: adminTls.acme: ACME serves public hosts on the data plane; give the admin listener certFile and keyFile",
		}},
		{"trustedProxies", "trustedProxies: [10.0.0.0/8, 127.0.0.1, \"::1\", nginx, 10.0.0.0/33]\n" + minimal, []string{
			`f.yaml:1:48: trustedProxies[3]: "nginx" is not an IP address or CIDR prefix (e.g. 10.0.0.0/8)`,
			`f.yaml:1:55: trustedProxies[4]: "10.0.0.0/33" is not an IP address or CIDR prefix (e.g. 10.0.0.0/8)`,
		}},
		{"timeouts", "timeouts: {idle: -1s, readBody: 5}\n" + minimal, []string{
			"f.yaml:1:18: timeouts.idle: -1s: want a positive duration, or 0 for the default",
			"f.yaml:1:33: timeouts.readBody: 5 has no unit: write a unit, e.g. 30s or 10m",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErrors(t, tc.doc, nil, tc.want...)
		})
	}
}

func TestListenerKeysLoad(t *testing.T) {
	f := mustParse(t, `tls: {certFile: c.pem, keyFile: k.pem}
admin: 127.0.0.1:9090
adminTls: {certFile: a.pem, keyFile: ak.pem}
dataDir: /var/lib/portico
trustedProxies: [10.0.0.0/8, 127.0.0.1]
timeouts: {readHeader: 5s, readBody: 30s, idle: 1m}
maxConnections: 1000
`+minimal, nil)
	if f.TLS == nil || f.TLS.CertFile != "c.pem" || f.TLS.KeyFile != "k.pem" || f.AdminTLS == nil || f.AdminTLS.CertFile != "a.pem" {
		t.Errorf("tls = %+v, adminTls = %+v", f.TLS, f.AdminTLS)
	}
	if f.DataDir != "/var/lib/portico" || len(f.TrustedProxies) != 2 || f.MaxConnections != 1000 {
		t.Errorf("dataDir %q trustedProxies %v maxConnections %d", f.DataDir, f.TrustedProxies, f.MaxConnections)
	}
	if f.Timeouts.ReadHeader.Std() != 5*time.Second || f.Timeouts.ReadBody.Std() != 30*time.Second || f.Timeouts.Idle.Std() != time.Minute {
		t.Errorf("timeouts = %+v", f.Timeouts)
	}
	a := mustParse(t, "tls:\n  acme:\n    hosts: [ws.example.com]\n    email: ops@example.com\n    httpListen: \":80\"\n"+minimal, nil)
	if a.TLS.ACME == nil || a.TLS.ACME.Hosts[0] != "ws.example.com" || a.TLS.ACME.HTTPListen != ":80" {
		t.Errorf("acme = %+v", a.TLS.ACME)
	}
}
