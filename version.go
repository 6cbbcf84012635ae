package main

import (
	"fmt"
	"runtime/debug"
)

// Set by goreleaser: -X main.version=... -X main.commit=... -X main.date=...
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// versionCmd is `cewiz version`.
func versionCmd(f *factory, _ []string) error {
	fmt.Fprintln(f.io.Out, versionLine())
	return nil
}

// currentVersion is the release version, or the module version of a
// `go install github.com/cewiz/cewiz@vX` build, or "dev". It is also the
// version in the User-Agent of every request to Cloud Elements.
func currentVersion() string {
	if version == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return version
}

func versionLine() string {
	s := "cewiz " + currentVersion()
	if commit != "" {
		s += " (commit " + commit
		if date != "" {
			s += ", built " + date
		}
		s += ")"
	}
	return s
}
