// Package version holds what a build of ClinicDesk says about itself: the
// version stamped at build time from `git describe --tags --always --dirty`
// and the commit. It owns nothing else and imports nothing of the app.
//
// The build stamps it with
//
//	-ldflags "-X clinicdesk/backend/version.Version=$(git describe --tags --always --dirty) -X clinicdesk/backend/version.Commit=$(git rev-parse --short HEAD)"
//
// (build/dist.sh and the Makefile do); an unstamped build (go test, go run)
// says "dev".
package version

import "runtime/debug"

// Version is the release this build is, e.g. "v1.2.0" or "v1.2.0-3-gabc1234-dirty".
var Version = "dev"

// Commit is the source commit, when the build stamped it.
var Commit = ""

// Build describes the build: the commit (stamped, or from the Go build info
// when built from a git checkout) and the Go toolchain.
func Build() string {
	c := Commit
	goVer := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVer = bi.GoVersion
		if c == "" {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 7 {
					c = s.Value[:7]
				}
			}
		}
	}
	if c == "" {
		c = "unknown commit"
	}
	if goVer == "" {
		return c
	}
	return c + ", " + goVer
}

// String is the one line `--version` prints: "<program> <version> (<build>)".
func String(program string) string { return program + " " + Version + " (" + Build() + ")" }
