//go:build !unix

package oauthlistener

import "os/exec"

func detach(*exec.Cmd) {}
