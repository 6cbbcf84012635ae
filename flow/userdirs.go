package flow

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// The user's directories, found where the os package finds them
// (os.UserConfigDir, os.UserHomeDir, os.TempDir), but in the environment
// getenv reads rather than in the process's own. Every command reads its
// environment through the lookup main gives it: the real process passes
// its own environment, and a test passes one of its own, so that commands
// with different homes run at the same time in one process.

// ErrNoConfigDir is the error of remembering or saving when the
// environment names no configuration directory (ConfigDir failed).
var ErrNoConfigDir = errors.New("there is no configuration directory to keep it in")

// ConfigDir is cewiz's directory in the user's configuration directory
// (UserConfigDir()/cewiz, e.g. ~/.config/cewiz).
func ConfigDir(getenv func(string) string) (string, error) {
	d, err := UserConfigDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(d, AppDirName), nil
}

// UserConfigDir is os.UserConfigDir in the environment getenv reads.
func UserConfigDir(getenv func(string) string) (string, error) {
	return userConfigDir(runtime.GOOS, getenv)
}

func userConfigDir(goos string, getenv func(string) string) (string, error) {
	var dir string
	switch goos {
	case "windows":
		dir = getenv("AppData")
		if dir == "" {
			return "", errors.New("%AppData% is not defined")
		}
	case "darwin", "ios":
		dir = getenv("HOME")
		if dir == "" {
			return "", errors.New("$HOME is not defined")
		}
		dir += "/Library/Application Support"
	case "plan9":
		dir = getenv("home")
		if dir == "" {
			return "", errors.New("$home is not defined")
		}
		dir += "/lib"
	default: // Unix
		dir = getenv("XDG_CONFIG_HOME")
		if dir == "" {
			dir = getenv("HOME")
			if dir == "" {
				return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME are defined")
			}
			dir += "/.config"
		} else if !strings.HasPrefix(dir, "/") {
			return "", errors.New("path in $XDG_CONFIG_HOME is relative")
		}
	}
	return dir, nil
}

// UserHomeDir is os.UserHomeDir in the environment getenv reads.
func UserHomeDir(getenv func(string) string) (string, error) {
	return userHomeDir(runtime.GOOS, getenv)
}

func userHomeDir(goos string, getenv func(string) string) (string, error) {
	env, enverr := "HOME", "$HOME"
	switch goos {
	case "windows":
		env, enverr = "USERPROFILE", "%userprofile%"
	case "plan9":
		env, enverr = "home", "$home"
	}
	if v := getenv(env); v != "" {
		return v, nil
	}
	switch goos { // where the os package knows a home without the variable
	case "android":
		return "/sdcard", nil
	case "ios":
		return "/", nil
	}
	return "", errors.New(enverr + " is not defined")
}

// TempDir is os.TempDir in the environment getenv reads.
func TempDir(getenv func(string) string) string {
	return tempDir(runtime.GOOS, getenv, os.TempDir)
}

// tempDir: on Windows, the variables GetTempPath reads, in its order; when
// none is set, the system's own answer (system, os.TempDir: the Windows
// directory's Temp), which no variable changes.
func tempDir(goos string, getenv func(string) string, system func() string) string {
	switch goos {
	case "windows":
		for _, k := range []string{"TMP", "TEMP", "USERPROFILE"} {
			if d := getenv(k); d != "" {
				if len(d) > 3 || !strings.HasSuffix(d, `:\`) { // C:\ keeps its separator
					d = strings.TrimSuffix(d, `\`)
				}
				return d
			}
		}
		return system()
	case "android":
		if d := getenv("TMPDIR"); d != "" {
			return d
		}
		return "/data/local/tmp"
	}
	if d := getenv("TMPDIR"); d != "" {
		return d
	}
	return "/tmp"
}
