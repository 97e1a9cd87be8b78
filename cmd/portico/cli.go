package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/portico-gw/portico/config"
)

// Exit codes, the same for every command.
const (
	exitOK      = 0 // success, --help
	exitFailure = 1 // a runtime failure: a listener that cannot start, an unhealthy healthcheck, a failed benchmark run
	exitUsage   = 2 // bad usage, or a config file that is missing or invalid
)

// configEnv names the config file when neither --config nor an argument
// does (the container image sets it).
const configEnv = "PORTICO_CONFIG"

// command is one subcommand's flags and help text. Go's flag package
// prints its own usage with single-dash flags; command writes help instead,
// in the one style the CLI documents (--config FILE), to stdout for --help
// and as a one-line pointer to it on stderr for usage errors.
type command struct {
	name  string // "serve"
	help  string // the whole --help text
	flags *flag.FlagSet
}

func newCommand(name, help string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // command prints the errors and the help itself
	fs.Usage = func() {}
	return &command{name: name, help: help, flags: fs}
}

// configFlag defines --config and its shorthand -c.
func (c *command) configFlag() *string {
	path := c.flags.String("config", "", "")
	c.flags.StringVar(path, "c", "", "")
	return path
}

// parse parses args, flags and arguments in any order (the flag package
// alone stops at the first argument), "--" ending the flags. It returns
// the arguments, or done with the exit code when the command must stop:
// after printing its help (exit 0) or a usage error (exit 2).
func (c *command) parse(args []string, stdout, stderr io.Writer) (pos []string, code int, done bool) {
	for {
		err := c.flags.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, c.help)
			return nil, exitOK, true
		}
		if err != nil {
			// The flag package names flags with one dash; the CLI's style is two.
			msg := strings.NewReplacer(": -", ": --", "flag -", "flag --").Replace(err.Error())
			return nil, c.usageError(stderr, "%s", msg), true
		}
		rest := c.flags.Args()
		if len(rest) == 0 {
			return pos, 0, false
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), 0, false
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageError prints a usage error and a pointer to --help, and returns 2.
func (c *command) usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "portico %s: %s\nRun 'portico %s --help' for usage.\n", c.name, fmt.Sprintf(format, args...), c.name)
	return exitUsage
}

// noArgs rejects arguments for a command that takes none.
func (c *command) noArgs(pos []string, stderr io.Writer) (code int, done bool) {
	if len(pos) > 0 {
		return c.usageError(stderr, "unexpected argument %q", pos[0]), true
	}
	return 0, false
}

// configPath picks the config file: --config, or the one argument, or
// $PORTICO_CONFIG. Anything else is a usage error.
func (c *command) configPath(flagValue string, pos []string, stderr io.Writer) (path string, code int, done bool) {
	switch {
	case len(pos) > 1:
		return "", c.usageError(stderr, "unexpected argument %q (one config file)", pos[1]), true
	case len(pos) == 1 && flagValue != "":
		return "", c.usageError(stderr, "the config file is given twice: --config %s and %s", flagValue, pos[0]), true
	case len(pos) == 1:
		return pos[0], 0, false
	case flagValue != "":
		return flagValue, 0, false
	}
	if env := os.Getenv(configEnv); env != "" {
		return env, 0, false
	}
	return "", c.usageError(stderr, "no config file: give --config FILE, or FILE, or set $%s", configEnv), true
}

// loadConfig loads the config file at path. A file that cannot be read is
// reported as such ("portico serve: x.yaml: no such file"), not as an
// invalid config; an invalid one is reported with every error and its
// file:line. Both exit 2.
func (c *command) loadConfig(path string, stderr io.Writer) (file *config.File, code int, done bool) {
	file, err := loadConfigFile(path)
	if err == nil {
		return file, 0, false
	}
	if pe, ok := errors.AsType[*fs.PathError](err); ok && pe.Path == path {
		why := pe.Err.Error()
		if errors.Is(pe.Err, fs.ErrNotExist) {
			why = "no such file"
		}
		fmt.Fprintf(stderr, "portico %s: %s: %s\n", c.name, path, why)
		return nil, exitUsage, true
	}
	fmt.Fprintf(stderr, "portico %s: invalid config:\n%v\n", c.name, err)
	return nil, exitUsage, true
}
