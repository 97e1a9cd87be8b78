package config

import "strings"

// expandEnv replaces each ${NAME}, where NAME matches [A-Z_][A-Z0-9_]*, with
// lookup(NAME), and each $${ with a literal ${. Everything else, including
// $connect, $request.body.x, ${request.body.x} and ${stageVariables.x}, is
// copied unchanged. It returns the names that lookup did not find, in order;
// they expand to "".
func expandEnv(s string, lookup func(string) (string, bool)) (string, []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var (
		b       strings.Builder
		missing []string
	)
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i+2:], '}'); end >= 0 && isEnvName(s[i+2:i+2+end]) {
				name := s[i+2 : i+2+end]
				v, ok := lookup(name)
				if !ok {
					missing = append(missing, name)
				}
				b.WriteString(v)
				i += 2 + end + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), missing
}

// isEnvName reports whether s is an environment variable name as expansion
// understands it: [A-Z_][A-Z0-9_]*.
func isEnvName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
