package config

import (
	"fmt"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// parseDuration accepts a Go duration string ("10m", "1s", "0s") or "0".
func parseDuration(s string) (Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return 0, fmt.Errorf("%s has no unit: write a unit, e.g. 30s or 10m", s)
	}
	dur, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (e.g. 30s, 10m, 2h)", s)
	}
	return Duration(dur), nil
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats d as time.Duration does ("1m30s"), a form Load accepts.
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML accepts what Load accepts, for callers that decode with
// yaml.v3 directly (no environment expansion there).
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" {
		return fmt.Errorf("line %d: want a duration such as 30s or 10m, got %s", n.Line, describe(n))
	}
	v, err := parseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = v
	return nil
}

// MarshalYAML writes d as a duration string, the form Load reads.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }
