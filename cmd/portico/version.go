package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set at build time by release builds (.goreleaser.yaml, the Dockerfile):
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.buildTime=2026-11-01T10:00:00Z" ./cmd/portico
//
// Empty means: ask the binary's build information.
var (
	version   = ""
	buildTime = ""
)

// versionText describes the build, from the -X values and the build
// information Go embeds (bi may be nil). The first line is "portico
// VERSION": the -X version, else the module version (`go install
// …/cmd/portico@v1.2.3` stamps v1.2.3; `go build` in a git checkout a
// pseudo-version), else "devel". Then, where known, the VCS revision and
// whether the tree had uncommitted changes, the commit's time, the build
// time, and the Go toolchain and platform.
func versionText(ldVersion, ldBuildTime string, bi *debug.BuildInfo) string {
	v := ldVersion
	if v == "" && bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	if v == "" {
		v = "devel"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "portico %s\n", v)
	setting := func(key string) string {
		if bi == nil {
			return ""
		}
		for _, s := range bi.Settings {
			if s.Key == key {
				return s.Value
			}
		}
		return ""
	}
	line := func(key, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %-9s %s\n", key, value)
		}
	}
	rev := setting("vcs.revision")
	if rev != "" && setting("vcs.modified") == "true" {
		rev += " (modified)"
	}
	line("revision", rev)
	line("committed", setting("vcs.time"))
	line("built", ldBuildTime)
	goVersion, goos, goarch := runtime.Version(), setting("GOOS"), setting("GOARCH")
	if bi != nil && bi.GoVersion != "" {
		goVersion = bi.GoVersion
	}
	if goos == "" {
		goos, goarch = runtime.GOOS, runtime.GOARCH
	}
	line("go", goVersion+" "+goos+"/"+goarch)
	return b.String()
}

// versionCmd prints the version text.
func versionCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("version", versionHelp)
	pos, code, done := c.parse(args, stdout, stderr)
	if done {
		return code
	}
	if code, done := c.noArgs(pos, stderr); done {
		return code
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprint(stdout, versionText(version, buildTime, bi))
	return exitOK
}

const versionHelp = `Usage: portico version

Prints the version (set with -ldflags "-X main.version=...", else the module
version go install stamps, else "devel"), the VCS revision and whether the
tree was modified, the commit and build times, and the Go toolchain.

Exit codes: 0 printed; 2 bad usage.
`
