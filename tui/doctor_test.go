package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/doctor"
	"github.com/cewiz/cewiz/oauthlistener"
)

type docProber struct {
	status int
	hang   bool
}

func (p docProber) Probe(ctx context.Context, _ string) (int, error) {
	if p.hang {
		<-ctx.Done()
		return 0, ctx.Err()
	}
	return p.status, nil
}

type docResolver struct{}

func (docResolver) LookupHost(context.Context, string) ([]string, error) {
	return []string{"192.0.2.1"}, nil
}

type docPorts struct{}

func (docPorts) ProbePort(context.Context, string) error { return nil }
func (docPorts) Holder(int) string                       { return "" }

type docBrowser struct{}

func (docBrowser) Plan(string) (oauthlistener.Plan, error) {
	return oauthlistener.Plan{}, &oauthlistener.NoBrowserError{Reason: oauthlistener.ReasonNoDisplay, Detail: "there is no graphical display"}
}

func docConfig() (doctor.Config, doctor.Deps) {
	a := flow.NewAnswers()
	a.Domain = "acme.docushareflex.com"
	a.NotificationURL = "https://hooks.example.com/e"
	// The fakes answer at once; the timeout is only a bound, kept long so a
	// loaded machine cannot turn an instant check into a timed-out one.
	return doctor.Config{Answers: a, Timeout: 10 * time.Second},
		doctor.Deps{Prober: docProber{status: 404}, Resolver: docResolver{}, Ports: docPorts{}, Browser: docBrowser{}}
}

// drive feeds the model its results until the run is over.
func drive(t *testing.T, m *DoctorModel) tea.Cmd {
	t.Helper()
	m.Init()
	var last tea.Cmd
	for i := 0; i < 50 && !m.Done(); i++ {
		_, last = m.Update(m.next()())
	}
	if !m.Done() {
		t.Fatal("never done")
	}
	return last
}

func TestDoctorModelStandalone(t *testing.T) {
	cfg, deps := docConfig()
	m := newDoctor(context.Background(), cfg, deps, lipgloss.DefaultRenderer())
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	// Before any result: every check is listed as pending.
	first := ansi.Strip(m.View())
	if strings.Count(first, "checking…") != len(doctor.Checks(cfg)) {
		t.Fatalf("pending view:\n%s", first)
	}
	cmd := drive(t, m)
	if cmd == nil {
		t.Fatal("no quit when done")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("standalone model did not quit")
	}
	// Standalone, every finished row went to the scrollback (tea.Println);
	// the live area keeps only the summary.
	if m.printed != len(m.checks) || !m.headerOut {
		t.Fatalf("printed %d of %d", m.printed, len(m.checks))
	}
	live := ansi.Strip(m.View())
	if strings.Contains(live, "Cloud Elements base URL") || !strings.Contains(live, "1 failed") {
		t.Fatalf("live area:\n%s", live)
	}
	v := m.header()
	for _, c := range m.checks {
		v += m.row(c)
	}
	v = ansi.Strip(v + live)
	for _, s := range []string{"✗ FAIL Cloud Elements base URL answers", "→ Check --base-url", "- SKIP User and Organization secrets", "! WARN A browser can be opened here", "✓ PASS DocuShare Flex domain", "1 failed"} {
		if !strings.Contains(v, s) {
			t.Errorf("view lacks %q:\n%s", s, v)
		}
	}
	for _, line := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(line); w > 80 {
			t.Errorf("line wider than 80 (%d): %q", w, line)
		}
	}
	if !m.Report().Failed() || len(m.Report().Results) != 7 {
		t.Fatalf("%+v", m.Report())
	}
}

func TestDoctorModelCancel(t *testing.T) {
	// ctrl+c while a check hangs: canceled at once.
	cfg, deps := docConfig()
	deps.Prober = docProber{hang: true}
	cfg.Timeout = time.Minute
	m := newDoctor(context.Background(), cfg, deps, nil)
	m.Init()
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	if _, quit := cmd().(tea.QuitMsg); !quit || !m.Canceled() || len(m.Report().Results) != len(doctor.Checks(cfg)) {
		t.Fatalf("canceled %v, report %+v", m.Canceled(), m.Report())
	}
}

func TestRunDoctorProgram(t *testing.T) {
	cfg, deps := docConfig()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep, err := RunDoctor(ctx, cfg, deps, strings.NewReader(""), &out, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	got := ansi.Strip(out.String())
	for _, want := range []string{"cewiz doctor", "FAIL Cloud Elements base URL answers", "→ Check --base-url", "WARN A browser can be opened here", "PASS DocuShare Flex domain", "1 failed"} {
		if !strings.Contains(got, want) {
			t.Errorf("program output lacks %q:\n%s", want, got)
		}
	}
	if !rep.Failed() {
		t.Fatalf("%v\n%s", rep, out.String())
	}
}

// TestRunDoctorProgramPrintsEveryRow: the standalone program prints every
// row before it quits. The rows used to be printed in a Batch with the read
// of the next result, so the end of the run (tea.Quit) could overtake the
// last rows: about one run in ten lost one under -race on a loaded machine.
func TestRunDoctorProgramPrintsEveryRow(t *testing.T) {
	cfg, deps := docConfig()
	for i := 0; i < 100; i++ {
		var out bytes.Buffer
		if _, err := RunDoctor(context.Background(), cfg, deps, strings.NewReader(""), &out, func(string) string { return "" }); err != nil {
			t.Fatal(err)
		}
		got, at := ansi.Strip(out.String()), 0
		for _, c := range doctor.Checks(cfg) {
			j := strings.Index(got[at:], c.Title+":")
			if j < 0 {
				t.Fatalf("run %d: row %q missing or out of order:\n%s", i, c.Title, got)
			}
			at += j
		}
	}
}
