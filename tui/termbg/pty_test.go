//go:build linux

package termbg

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cewiz/cewiz/tui/ptytest"
)

// childEnv makes the test binary a program that calls Detect on its own
// standard streams, like cewiz's UI does, and writes the Answer as JSON
// on descriptor 3.
const childEnv = "CEWIZ_TERMBG_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		a := Detect(os.Stderr, os.Getenv)
		_ = json.NewEncoder(os.NewFile(3, "answer")).Encode(a)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// run starts this test binary as a child on the pty p with env, stdout
// going to stdout when it is not nil, and returns its Answer and what it
// wrote to the terminal.
func run(t *testing.T, p *ptytest.PTY, env []string, stdout io.Writer) (Answer, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append([]string{childEnv + "=1", "PATH=" + os.Getenv("PATH")}, env...)
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stdout = stdout
	if err := p.Start(cmd); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var a Answer
	decodeErr := json.NewDecoder(r).Decode(&a)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v; terminal: %q", err, p.Output())
	}
	if decodeErr != nil {
		t.Fatalf("no answer from the child: %v; terminal: %q", decodeErr, p.Output())
	}
	// The child has exited: once the master reads the end, everything it
	// wrote is in the output.
	if err := p.WaitClosed(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	return a, p.Output()
}

func openPTY(t *testing.T) *ptytest.PTY {
	t.Helper()
	p, err := ptytest.Open(100, 30)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

const oscQuery = "\x1b]11;?"

// TestDetect runs Detect in a process whose controlling terminal is a
// pseudo-terminal that answers as each case says.
func TestDetect(t *testing.T) {
	xterm := []string{"TERM=xterm-256color"}
	for _, tc := range []struct {
		name    string
		env     []string
		answer  func([]byte) []byte
		toFile  bool // stdout redirected to a file (cewiz export > f)
		want    Answer
		queries int
	}{
		{name: "a terminal that never answers", env: xterm,
			want: Answer{Dark: true, Asked: true, Late: true}, queries: 1},
		{name: "a dark terminal", env: xterm, answer: ptytest.XtermAnswers("rgb:0000/0000/0000"),
			want: Answer{Dark: true, Asked: true}, queries: 1},
		{name: "a light terminal", env: xterm, answer: ptytest.XtermAnswers("rgb:ffff/ffff/ffff"),
			want: Answer{Dark: false, Asked: true}, queries: 1},
		{name: "a light terminal, stdout redirected", env: xterm, toFile: true, answer: ptytest.XtermAnswers("rgb:ffff/ffff/ffff"),
			want: Answer{Dark: false, Asked: true}, queries: 1},
		{name: "a silent terminal, stdout redirected", env: xterm, toFile: true,
			want: Answer{Dark: true, Asked: true, Late: true}, queries: 1},
		{name: "a terminal without OSC 11", env: xterm, answer: func(seen []byte) []byte {
			if bytes.Contains(seen, []byte("\x1b[6n")) {
				return []byte("\x1b[4;1R")
			}
			return nil
		}, want: Answer{Dark: true, Asked: true}, queries: 1},
		{name: "NO_COLOR", env: append(xterm, "NO_COLOR=1"), want: Answer{Dark: true}},
		{name: "COLORFGBG light", env: append(xterm, "COLORFGBG=0;15"), want: Answer{Dark: false}},
		{name: "COLORFGBG dark", env: append(xterm, "COLORFGBG=15;0"), want: Answer{Dark: true}},
		{name: "TERM=dumb", env: []string{"TERM=dumb"}, want: Answer{Dark: true}},
		{name: "tmux", env: []string{"TERM=tmux-256color"}, want: Answer{Dark: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := openPTY(t)
			if tc.answer != nil {
				p.Answer(tc.answer)
			}
			var stdout io.Writer
			var file string
			if tc.toFile {
				file = filepath.Join(t.TempDir(), "out")
				f, err := os.Create(file)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				stdout = f
			}
			got, screen := run(t, p, tc.env, stdout)
			got.How = ""
			if got != tc.want {
				t.Errorf("Detect = %+v, want %+v", got, tc.want)
			}
			if n := strings.Count(screen, oscQuery); n != tc.queries {
				t.Errorf("%d background queries on the terminal, want %d: %q", n, tc.queries, screen)
			}
			if strings.Contains(screen, "rgb:") {
				t.Errorf("the answer was echoed on the terminal: %q", screen)
			}
			if file != "" {
				if b, _ := os.ReadFile(file); len(b) != 0 {
					t.Errorf("the redirected stdout got %q", b)
				}
			}
		})
	}
}

// TestNotATerminal: with stderr (the UI) not a terminal there is nothing
// to ask, even when stdin and stdout are one.
func TestNotATerminal(t *testing.T) {
	p := openPTY(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = []string{childEnv + "=1", "TERM=xterm-256color"}
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stderr = &stderr
	if err := p.Start(cmd); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var a Answer
	if err := json.NewDecoder(r).Decode(&a); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if a.Asked || !a.Dark {
		t.Errorf("Detect = %+v, want a dark guess without asking", a)
	}
	if strings.Contains(p.Output(), oscQuery) {
		t.Errorf("asked anyway: %q", p.Output())
	}
}

// TestInitRunsBeforeBubbleTea checks the mechanism of the package comment
// in the built cewiz binary: this package's init runs before Bubble Tea's
// (GODEBUG=inittrace=1 prints each package's init in the order it runs).
// If an import added here made it wait for a package Bubble Tea does not
// import, Bubble Tea's init would run first and ask the terminal itself.
func TestInitRunsBeforeBubbleTea(t *testing.T) {
	t.Parallel() // the build overlaps the other tests
	bin := filepath.Join(t.TempDir(), "cewiz")
	build := exec.Command("go", "build", "-o", bin, "github.com/cewiz/cewiz")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("cewiz version: %v\n%s", err, stderr.String())
	}
	order := map[string]int{}
	for i, line := range strings.Split(stderr.String(), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "init" {
			order[f[1]] = i
		}
	}
	mine, okMine := order["github.com/cewiz/cewiz/tui/termbg"]
	tea, okTea := order["github.com/charmbracelet/bubbletea"]
	if !okMine || !okTea {
		t.Fatalf("inittrace lacks termbg (%v) or bubbletea (%v):\n%s", okMine, okTea, stderr.String())
	}
	if mine > tea {
		t.Errorf("bubbletea's init ran before termbg's: line %d vs %d", tea, mine)
	}
}
