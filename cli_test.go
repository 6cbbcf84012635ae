package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/journey/journeytest"
)

// TestFlagMistakeIsOneLine: a mistyped flag value gets one line on stderr
// naming the flag and the form it expects, never the usage.
func TestFlagMistakeIsOneLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"export", "--refresh-interval", "abc"}, []string{"--refresh-interval", `"abc"`, "whole number of minutes from 1 to 1440"}},
		{[]string{"create", "--timeout", "5x"}, []string{"--timeout", `"5x"`, "duration such as 5m or 90s"}},
		{[]string{"export", "--events=maybe"}, []string{"--events", `"maybe"`, "true or false"}},
		{[]string{"export", "--name"}, []string{"--name", "needs a value"}},
		{[]string{"export", "--nmae", "x"}, []string{"unknown flag --nmae", "did you mean --name?"}},
		{[]string{"doctor", "--instance"}, []string{"--instance", "numeric id"}},
		{[]string{"--timout", "5m"}, []string{"unknown flag --timout", "--timeout"}},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(t, nil, c.args...)
		if code != exitUsage || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing on stdout", c.args, code, out)
		}
		if n := strings.Count(errOut, "\n"); n != 1 || strings.Contains(errOut, "Usage") {
			t.Errorf("%v: %d lines on stderr, want one line and no usage:\n%s", c.args, n, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, errOut, w)
			}
		}
	}
}

// TestHelpOnStdout: --help of every command (and `help COMMAND`) prints
// the command's help on stdout, nothing on stderr, and exits 0.
func TestHelpOnStdout(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"cewiz export", "--sandbox", "--accessible", "CEWIZ_CODE"}},
		{[]string{"-h"}, []string{"cewiz export"}},
		{[]string{"help"}, []string{"cewiz completion SHELL"}},
		{[]string{"export", "--help"}, []string{"Usage: cewiz export", "--include-secrets", "--format"}},
		{[]string{"create", "--help"}, []string{"Usage: cewiz create", "--code", "--code -", "CEWIZ_CODE", "--unique-name"}},
		{[]string{"doctor", "--help"}, []string{"Usage: cewiz doctor", "--instance"}},
		{[]string{"sandbox", "--help"}, []string{"Usage: cewiz sandbox", "--addr"}},
		{[]string{"completion", "--help"}, []string{"cewiz completion bash|zsh|fish"}},
		{[]string{"help", "create"}, []string{"Usage: cewiz create", "--json"}},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(t, nil, c.args...)
		if code != exitOK || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and an empty stderr", c.args, code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: stdout lacks %q:\n%s", c.args, w, out)
			}
		}
	}
}

// TestVersionFlag: --version is `cewiz version`.
func TestVersionFlag(t *testing.T) {
	t.Parallel()
	_, want, _ := runCLI(t, nil, "version")
	code, out, errOut := runCLI(t, nil, "--version")
	if code != exitOK || out != want || errOut != "" || !strings.HasPrefix(out, "cewiz ") {
		t.Fatalf("--version: exit %d, stdout %q, stderr %q; want 0 and %q", code, out, errOut, want)
	}
}

// completionScript writes `cewiz completion SHELL` to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, out, errOut := runCLI(t, nil, "completion", shell)
	if code != exitOK || errOut != "" || out == "" {
		t.Fatalf("completion %s: exit %d, stderr %q", shell, code, errOut)
	}
	p := filepath.Join(t.TempDir(), "cewiz."+shell)
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCompletionBash loads the script in a real bash and asks it what it
// completes, as the shell does on Tab.
func TestCompletionBash(t *testing.T) {
	t.Parallel()
	bash := journeytest.LookPath(t, "the bash completion test", "bash")
	script := completionScript(t, "bash")
	ask := func(words ...string) []string {
		t.Helper()
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = flow.ShellQuote(w)
		}
		line := "source " + script + "; COMP_WORDS=(" + strings.Join(quoted, " ") + "); COMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "; _cewiz; printf '%s\\n' \"${COMPREPLY[@]}\""
		out, err := exec.Command(bash, "--norc", "--noprofile", "-c", line).CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		return strings.Fields(string(out))
	}
	has := func(got []string, want ...string) {
		t.Helper()
		for _, w := range want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("completion %v lacks %q", got, w)
			}
		}
	}
	has(ask("cewiz", "ex"), "export")
	has(ask("cewiz", "c"), "create", "completion")
	has(ask("cewiz", "export", "--in"), "--include-secrets")
	has(ask("cewiz", "create", "--uni"), "--unique-name")
	has(ask("cewiz", "--acc"), "--accessible")
	has(ask("cewiz", "create", "--region", "s"), "staging", "sap-us", "sap-eu")
	has(ask("cewiz", "completion", ""), "bash", "zsh", "fish")
	if got := ask("cewiz", "export", "--accessible"); len(got) != 0 {
		t.Errorf("export offers a flag it does not have: %v", got)
	}
}

// TestCompletionZsh checks the script's syntax and that sourcing it after
// compinit registers the function for cewiz. (Driving a real zsh Tab needs
// a pty and zpty; that part is not run.)
func TestCompletionZsh(t *testing.T) {
	t.Parallel()
	zsh := journeytest.LookPath(t, "the zsh completion test", "zsh")
	script := completionScript(t, "zsh")
	if out, err := exec.Command(zsh, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	home := t.TempDir()
	cmd := exec.Command(zsh, "-f", "-c", "autoload -U compinit; compinit -u -d "+home+"/zcompdump; source "+script+"; print -r -- $_comps[cewiz]")
	cmd.Env = append(os.Environ(), "HOME="+home, "ZDOTDIR="+home)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "_cewiz" {
		t.Fatalf("zsh did not register _cewiz for cewiz: %v\n%s", err, out)
	}
}

// TestCompletionFish loads the script in a real fish and asks it what it
// completes (complete -C is what fish runs on Tab).
func TestCompletionFish(t *testing.T) {
	t.Parallel()
	fish := journeytest.LookPath(t, "the fish completion test", "fish")
	script := completionScript(t, "fish")
	home := t.TempDir()
	ask := func(line string) string {
		t.Helper()
		cmd := exec.Command(fish, "--no-config", "-c", "source "+script+"; complete -C '"+line+"'")
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v\n%s", err, out)
		}
		return string(out)
	}
	for line, want := range map[string]string{
		"cewiz ex":                  "export",
		"cewiz export --include":    "--include-secrets",
		"cewiz create --region ":    "sap-eu",
		"cewiz --acc":               "--accessible",
		"cewiz completion ":         "zsh",
		"cewiz create --unique-nam": "--unique-name",
	} {
		if got := ask(line); !strings.Contains(got, want) {
			t.Errorf("fish completes %q as:\n%s\nwant %q", line, got, want)
		}
	}
	if got := ask("cewiz export --access"); strings.Contains(got, "--accessible") {
		t.Errorf("export offers --accessible, which it does not have:\n%s", got)
	}
}

// TestCurlExportVariablesAreNotCewizInputs: the variables the cURL export
// tells the user to set are none of the variables cewiz reads, so
// following it ("export CE_GRANT_CODE=…") never changes what a later
// cewiz run sends (a CEWIZ_CODE left set made every create reuse a spent
// code).
func TestCurlExportVariablesAreNotCewizInputs(t *testing.T) {
	t.Parallel()
	inputs := map[string]bool{flow.EnvUserSecret: true, flow.EnvOrgSecret: true, flow.EnvAPISecret: true, flow.EnvCode: true, flow.EnvSignatureKey: true}
	for _, c := range completionCommands() {
		for _, f := range c.flags {
			inputs[flow.EnvName(f.name)] = true
		}
	}
	code, out, errOut := runCLI(t, nil, "export", "--format", "curl", "--domain", "acme", "--api-key", "app", "--notify-url", "https://h.example.com/e")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	used := regexp.MustCompile(`\$\{([A-Z_]+)|export ([A-Z_]+)=|([A-Z_]+)=\.\.\.`).FindAllStringSubmatch(out, -1)
	if len(used) < 4 {
		t.Fatalf("found only %v in:\n%s", used, out)
	}
	for _, m := range used {
		for _, name := range m[1:] {
			if inputs[name] {
				t.Errorf("the cURL export uses %s, which cewiz itself reads:\n%s", name, out)
			}
		}
	}
}
