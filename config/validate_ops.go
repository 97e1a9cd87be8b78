package config

import (
	"errors"
	"strings"

	"github.com/portico-gw/portico/internal/accesslog"
)

// validateOperations checks the operator settings: the admin listener's
// options.
func validateOperations(f *File, d *decoder) {
	if f.AdminPprof && f.Admin == "" {
		d.at("adminPprof", "requires admin (the listener that serves /debug/pprof/), e.g. admin: 127.0.0.1:9090")
	}
	if f.ControlPlane.AllowUnsigned && f.Admin == "" {
		d.at("controlPlane.allowUnsigned", "requires admin (the listener that serves the control plane), e.g. admin: 127.0.0.1:9090")
	}
}

// validateAccessLog checks a stage's accessLogSettings: its format is parsed
// here once, so that an unknown $context variable is a config error.
func validateAccessLog(s *AccessLogSettings, k string, d *decoder) {
	if s == nil {
		return
	}
	if s.Format != "" {
		if _, err := accesslog.Parse(s.Format); err != nil {
			var fe *accesslog.Error
			if errors.As(err, &fe) {
				d.at(k+".format", "%s", fe.Error())
			} else {
				d.at(k+".format", "%v", err)
			}
		}
	}
	if dst := s.Destination; strings.TrimSpace(dst) != dst || strings.ContainsFunc(dst, func(r rune) bool { return r < 0x20 }) {
		d.at(k+".destination", "%q: want stdout, stderr or a file path without surrounding spaces", dst)
	}
}
