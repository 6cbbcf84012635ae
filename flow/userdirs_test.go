package flow

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// The directories come from the environment given, as the os package
// finds them in the process's, on every system.
func TestUserDirsFromTheGivenEnvironment(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		goos, want, wantErr string
		env                 func(string) string
	}{
		{"linux", "/x/cfg", "", envOf("XDG_CONFIG_HOME", "/x/cfg", "HOME", "/home/u")},
		{"linux", "/home/u/.config", "", envOf("HOME", "/home/u")},
		{"freebsd", "/home/u/.config", "", envOf("HOME", "/home/u")},
		{"linux", "", "path in $XDG_CONFIG_HOME is relative", envOf("XDG_CONFIG_HOME", "rel", "HOME", "/home/u")},
		{"linux", "", "neither $XDG_CONFIG_HOME nor $HOME are defined", envOf()},
		{"darwin", "/Users/u/Library/Application Support", "", envOf("HOME", "/Users/u", "XDG_CONFIG_HOME", "/ignored")},
		{"darwin", "", "$HOME is not defined", envOf()},
		{"windows", `C:\Users\u\AppData\Roaming`, "", envOf("AppData", `C:\Users\u\AppData\Roaming`)},
		{"windows", "", "%AppData% is not defined", envOf("HOME", "/ignored")},
		{"plan9", "/usr/u/lib", "", envOf("home", "/usr/u")},
	} {
		got, err := userConfigDir(c.goos, c.env)
		if got != c.want || fmt.Sprint(err) != map[bool]string{true: "<nil>", false: c.wantErr}[c.wantErr == ""] {
			t.Errorf("%s config dir: %q, %v; want %q, %q", c.goos, got, err, c.want, c.wantErr)
		}
	}
	for _, c := range []struct {
		goos, want string
		ok         bool
		env        func(string) string
	}{
		{"linux", "/home/u", true, envOf("HOME", "/home/u")},
		{"linux", "", false, envOf("USERPROFILE", `C:\Users\u`)},
		{"windows", `C:\Users\u`, true, envOf("USERPROFILE", `C:\Users\u`, "HOME", "/ignored")},
		{"plan9", "/usr/u", true, envOf("home", "/usr/u")},
		{"android", "/sdcard", true, envOf()},
		{"ios", "/", true, envOf()},
	} {
		got, err := userHomeDir(c.goos, c.env)
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("%s home: %q, %v; want %q", c.goos, got, err, c.want)
		}
	}
	system := func() string { return `C:\Windows\Temp` }
	for _, c := range []struct {
		goos, want string
		env        func(string) string
	}{
		{"linux", "/t", envOf("TMPDIR", "/t")},
		{"linux", "/tmp", envOf()},
		{"android", "/data/local/tmp", envOf()},
		{"windows", `C:\t`, envOf("TMP", `C:\t\`, "TEMP", `C:\other`)},
		{"windows", `C:\other`, envOf("TEMP", `C:\other`)},
		{"windows", `C:\`, envOf("USERPROFILE", `C:\`)},
		{"windows", `C:\Windows\Temp`, envOf("TMPDIR", "/ignored")},
	} {
		if got := tempDir(c.goos, c.env, system); got != c.want {
			t.Errorf("%s temp dir: %q; want %q", c.goos, got, c.want)
		}
	}
}

// Given the process's own environment, they are exactly what the os
// package says: the real process keeps its directories.
func TestUserDirsOfTheProcessAreTheOSPackages(t *testing.T) {
	t.Parallel()
	wantCfg, wantErr := os.UserConfigDir()
	got, err := UserConfigDir(os.Getenv)
	if got != wantCfg || fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Errorf("UserConfigDir: %q, %v; os says %q, %v", got, err, wantCfg, wantErr)
	}
	if wantErr == nil {
		if d, err := ConfigDir(os.Getenv); err != nil || d != filepath.Join(wantCfg, AppDirName) {
			t.Errorf("ConfigDir: %q, %v", d, err)
		}
	}
	wantHome, wantErr := os.UserHomeDir()
	if got, err := UserHomeDir(os.Getenv); got != wantHome || fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Errorf("UserHomeDir: %q, %v; os says %q, %v", got, err, wantHome, wantErr)
	}
	if got := TempDir(os.Getenv); got != os.TempDir() {
		t.Errorf("TempDir: %q; os says %q", got, os.TempDir())
	}
}

// With no directory, nothing is remembered and saving says why.
func TestMemoryWithoutADirectory(t *testing.T) {
	t.Parallel()
	if _, ok, err := (Memory{}).Load(); ok || err != ErrNoConfigDir {
		t.Fatalf("Load: %v %v", ok, err)
	}
	a := NewAnswers()
	if got := (Memory{}).Prefill(a); got.Domain != a.Domain || got.BaseURL != a.BaseURL {
		t.Fatalf("Prefill changed the answers: %+v", got)
	}
	if err := (Memory{}).Save(a); err != ErrNoConfigDir {
		t.Fatalf("Save: %v", err)
	}
}
