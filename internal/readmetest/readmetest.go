// Package readmetest runs a README's shell commands as a test: every
// command of its ```sh blocks, in order, in one bash session (so variables
// set by one carry over), each checked against the "# → " lines that
// follow it. The README is the test's only script: what it promises is
// what is checked. The examples (examples/http-api, examples/rest-api)
// use it.
package readmetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Run checks the commands of readme. It skips the test when bash or curl
// is missing. Commands starting with "go " (which start the example) are
// not run: start starts the example and returns the replacer that moves
// the README's addresses to the ones it listens on.
func Run(t *testing.T, readme string, start func(t *testing.T) *strings.Replacer) {
	t.Helper()
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	all, err := parseREADME(data)
	if err != nil {
		t.Fatal(err)
	}
	// The go commands start the example, which the test does in-process.
	var cmds []command
	for _, c := range all {
		if strings.HasPrefix(c.text, "go ") {
			if len(c.expect) > 0 {
				t.Errorf("%s:%d: go commands are not run, so they cannot promise output", readme, c.line)
			}
			continue
		}
		cmds = append(cmds, c)
	}
	if len(cmds) == 0 {
		t.Fatalf("%s has no commands to run in its ```sh blocks", readme)
	}

	ports := start(t)
	outs := runCommands(t, cmds, ports)
	for i, c := range cmds {
		name := fmt.Sprintf("line %d", c.line)
		t.Run(name, func(t *testing.T) {
			want := make([]string, len(c.expect))
			for j, e := range c.expect {
				want[j] = ports.Replace(e)
			}
			if i >= len(outs) {
				t.Fatalf("%s:%d: %s\nnot run: the script stopped before it", readme, c.line, c.text)
			}
			got := outs[i]
			if msg := checkOutput(want, got.stdout); msg != "" {
				t.Errorf("%s:%d: %s\n%s\nwant (the # → lines):\n%s\ngot:\n%s\nstderr:\n%s",
					readme, c.line, c.text, msg, strings.Join(want, "\n"), got.stdout, got.stderr)
			}
		})
	}
}

// command is one shell command of the README with the output it promises.
type command struct {
	line   int      // the README line it starts on
	text   string   // as written, continuation lines included
	expect []string // the "# → " lines after it, without the prefix
}

const expectPrefix = "# →"

// parseREADME returns the commands of the README's ```sh blocks. A line
// ending in \ continues on the next; "# → " lines after a command are its
// expected output; other # lines and blank lines are ignored.
func parseREADME(data []byte) ([]command, error) {
	var (
		cmds       []command
		inBlock    bool
		continued  bool
		blockStart int
		haveCmd    bool // a command of the current block can take # → lines
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case !inBlock:
			if trimmed == "```sh" {
				inBlock, blockStart, haveCmd = true, n, false
			}
		case continued:
			c := &cmds[len(cmds)-1]
			c.text += "\n" + line
			continued = strings.HasSuffix(line, `\`)
		case trimmed == "```":
			inBlock = false
		case strings.HasPrefix(trimmed, expectPrefix):
			if !haveCmd {
				return nil, fmt.Errorf("README.md:%d: %q before any command of its block", n, expectPrefix)
			}
			c := &cmds[len(cmds)-1]
			c.expect = append(c.expect, strings.TrimPrefix(strings.TrimPrefix(trimmed, expectPrefix), " "))
		case trimmed == "", strings.HasPrefix(trimmed, "#"):
		default:
			cmds = append(cmds, command{line: n, text: line})
			haveCmd = true
			continued = strings.HasSuffix(line, `\`)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if inBlock {
		return nil, fmt.Errorf("README.md:%d: the ```sh block is not closed", blockStart)
	}
	return cmds, nil
}

// output is what one command printed.
type output struct{ stdout, stderr string }

// marker separates the commands' outputs; it is printed after each one, on
// both streams.
const marker = "@@ end of a README command @@"

// runCommands runs cmds, with the ports replaced, in one bash process and
// returns each one's output. It stops at the first command that hangs for
// the test's timeout; outputs of commands that did not run are missing.
func runCommands(t testing.TB, cmds []command, ports *strings.Replacer) []output {
	t.Helper()
	var script strings.Builder
	for _, c := range cmds {
		script.WriteString(ports.Replace(c.text))
		fmt.Fprintf(&script, "\nprintf '\\n%s\\n'; printf '\\n%s\\n' >&2\n", marker, marker)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sh := exec.CommandContext(ctx, "bash", "-c", script.String())
	sh.Dir = t.TempDir()
	// No proxy, no ~/.curlrc, no startup file: the commands as written.
	sh.Env = append(os.Environ(), "NO_PROXY=*", "no_proxy=*", "CURL_HOME="+sh.Dir, "BASH_ENV=")
	var stdout, stderr bytes.Buffer
	sh.Stdout, sh.Stderr = &stdout, &stderr
	if err := sh.Run(); err != nil {
		t.Logf("bash: %v", err) // each command's output is still checked
	}
	outs := split(stdout.String())
	errs := split(stderr.String())
	res := make([]output, 0, len(cmds))
	for i := range min(len(outs), len(cmds)) {
		o := output{stdout: outs[i]}
		if i < len(errs) {
			o.stderr = errs[i]
		}
		res = append(res, o)
	}
	return res
}

// split cuts a stream at the markers, dropping what follows the last one,
// and the newline printed before each marker.
func split(s string) []string {
	parts := strings.Split(s, "\n"+marker+"\n")
	return parts[:len(parts)-1]
}

// checkOutput compares a command's output with the lines it promises, and
// says how they differ ("" when they match). Each wanted line must match a
// whole output line, in order; … matches any text of one or more
// characters. A header dump (curl -i, output starting with HTTP/) may have
// other lines between the wanted ones; any other output must have exactly
// the wanted lines. No wanted lines means no output.
func checkOutput(want []string, got string) string {
	var lines []string
	if got = strings.TrimRight(got, "\n"); got != "" {
		lines = strings.Split(got, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimSuffix(l, "\r")
		}
	}
	if len(lines) > 0 && strings.HasPrefix(lines[0], "HTTP/") {
		i := 0
		for _, l := range lines {
			if i < len(want) && linePattern(want[i]).MatchString(l) {
				i++
			}
		}
		if i < len(want) {
			return fmt.Sprintf("no line matches %q (after the lines before it)", want[i])
		}
		return ""
	}
	if len(lines) != len(want) {
		return fmt.Sprintf("%d lines, want %d", len(lines), len(want))
	}
	for i, l := range lines {
		if !linePattern(want[i]).MatchString(l) {
			return fmt.Sprintf("line %d: %q does not match %q", i+1, l, want[i])
		}
	}
	return ""
}

// linePattern turns a wanted line into a regexp for a whole line.
func linePattern(want string) *regexp.Regexp {
	parts := strings.Split(want, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".+") + "$")
}
