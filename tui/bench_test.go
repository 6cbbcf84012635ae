package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/cewiz/cewiz/flow"
)

// elementDefault is an element default poller configuration of n
// resources, as GET /elements/docushareflex/configuration gives it.
func elementDefaultConfig(n int) flow.PollerConfig {
	p := make(flow.PollerConfig, n)
	for i := range p {
		name := "res-" + pad4(i)
		p[i] = flow.PollResource{Name: name, URL: "/hubs/documents/" + name, IDField: "id",
			DatesConfiguration: &flow.DatesConfiguration{UpdatedDateField: "modifiedDate", UpdatedDateFormat: "milliseconds"}}
	}
	return p
}

// resourcesModel is the wizard on the Resources step the way a user gets
// there: the Connect step's check reads the element's default (n
// resources, from a client answering from memory), then the step is
// entered and lists them.
func resourcesModel(b *testing.B, n int) *Model {
	b.Helper()
	client := &fakeClient{defaults: elementDefaultConfig(n)}
	cfg := Config{Answers: flow.NewAnswers(), NoRemember: true,
		NewClient: func(string, flow.Secrets) (Client, error) { return client, nil }}
	m := New(context.Background(), cfg, lipgloss.DefaultRenderer())
	m.noTicks = true
	m.width, m.height = 80, 24
	msg, ok := checkConnection(m.ctx, cfg.NewClient, "https://api.cloud-elements.com/elements/api-v2", flow.Secrets{})().(checkedMsg)
	if !ok || msg.err != nil {
		b.Fatalf("the connect check: %v", msg.err)
	}
	m.apply(connected{answers: m.answers, secrets: m.secrets, client: msg.client, defaults: msg.defaults})
	m.goTo(flow.StepResources)
	if s, ok := m.scr.(*resourcesStep); !ok || len(s.names) != n {
		b.Fatalf("the Resources step does not list the %d resources", n)
	}
	return m
}

// BenchmarkTickAll ticks every resource of the element's default, one
// space and one down arrow each, as a user ticking the whole list would
// (each keystroke's frame included). Ticking must stay linear: the time
// per op of n=5000 is about five times n=1000's.
func BenchmarkTickAll(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			space, down := tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}, tea.KeyMsg{Type: tea.KeyDown}
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				m := resourcesModel(b, n)
				b.StartTimer()
				for range n {
					m.Update(space)
					_ = m.View()
					m.Update(down)
				}
				if s := m.scr.(*resourcesStep); s.pickedCount() != n {
					b.Fatalf("%d ticked, want %d", s.pickedCount(), n)
				}
			}
		})
	}
}

// BenchmarkReviewEnter enters Review with n ticked resources: building,
// marshalling and highlighting the body and the cURL command. Linear: n=5000
// costs about five times n=1000.
func BenchmarkReviewEnter(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			a := flow.NewAnswers()
			a.Polling = elementDefaultConfig(n)
			m := New(context.Background(), Config{Answers: a, NoRemember: true}, lipgloss.DefaultRenderer())
			m.width, m.height = 80, 24
			b.ReportAllocs()
			for b.Loop() {
				_ = newReview(m)
			}
		})
	}
}

// BenchmarkResourcesKeystroke is one keystroke (Update) and the frame it
// causes (View) on the Resources step with 5,000 resources.
func BenchmarkResourcesKeystroke(b *testing.B) {
	keys := map[string][]tea.KeyMsg{
		"move": {{Type: tea.KeyDown}, {Type: tea.KeyDown}, {Type: tea.KeyUp}},
		"tick": {{Type: tea.KeySpace, Runes: []rune{' '}}},
		"filter": {{Type: tea.KeyRunes, Runes: []rune("1")}, {Type: tea.KeyRunes, Runes: []rune("2")},
			{Type: tea.KeyBackspace}, {Type: tea.KeyBackspace}},
	}
	for name, seq := range keys {
		b.Run(name, func(b *testing.B) {
			m := resourcesModel(b, 5000)
			if name == "filter" {
				m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/")})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.Update(seq[i%len(seq)])
				_ = m.View()
			}
		})
	}
}

// BenchmarkReviewView is one frame of the Review step (highlighted JSON in
// a viewport) with a three-resource poller configuration.
func BenchmarkReviewView(b *testing.B) {
	a := flow.NewAnswers()
	a.Domain = "acme.docushareflex.com"
	a.APIKey = "app-id"
	a.NotificationURL = "https://example.com/events"
	a.Polling = flow.PollingPresets()
	a.Code = flow.NewSecret("code")
	m := New(context.Background(), Config{Answers: a, NoRemember: true, Secrets: flow.Secrets{APISecret: flow.NewSecret("s")}}, lipgloss.DefaultRenderer())
	m.width, m.height = 80, 24
	m.step = flow.StepReview
	m.scr = newReview(m)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.View()
	}
}

// BenchmarkReviewBuild is entering Review: building, marshalling and
// highlighting the body and the cURL command.
func BenchmarkReviewBuild(b *testing.B) {
	a := flow.NewAnswers()
	a.Polling = flow.PollingPresets()
	m := New(context.Background(), Config{Answers: a, NoRemember: true}, lipgloss.DefaultRenderer())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = newReview(m)
	}
}

// firstFrameWriter records when the first frame with the wizard's header
// reaches the terminal.
type firstFrameWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
	once sync.Once
}

func (w *firstFrameWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(p)
	seen := strings.Contains(w.buf.String(), "Step 1 of")
	w.mu.Unlock()
	if seen {
		w.once.Do(func() { close(w.done) })
	}
	return len(p), nil
}

// BenchmarkFirstFrame is the time from starting the wizard's program to its
// first rendered frame on the output. In process, it leaves out the process
// start, the package inits, main's work and the terminal's query:
// docs/benchmarks.md has the whole first frame of the built binary in a
// pseudo-terminal (tui/testdata/firstframe.py).
func BenchmarkFirstFrame(b *testing.B) {
	for i := 0; i < b.N; i++ {
		w := &firstFrameWriter{done: make(chan struct{})}
		m := New(context.Background(), Config{Answers: flow.NewAnswers(), NoRemember: true, Output: w}, lipgloss.DefaultRenderer())
		p := tea.NewProgram(m, tea.WithInput(nil), tea.WithOutput(w), tea.WithFPS(120), tea.WithoutSignalHandler())
		errc := make(chan error, 1)
		go func() { _, err := p.Run(); errc <- err }()
		select {
		case <-w.done:
		case <-time.After(5 * time.Second):
			b.Fatal("no first frame")
		}
		b.StopTimer()
		p.Quit()
		<-errc
		b.StartTimer()
	}
}

// BenchmarkNew builds the wizard and its first step (the Connect form),
// the part of the start-up before the first frame that is cewiz's own:
// huh's default theme used to be rebuilt for every field rendered before
// the wizard's theme reached it (m.group, themed).
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = New(context.Background(), Config{Answers: flow.NewAnswers(), NoRemember: true}, lipgloss.NewRenderer(io.Discard))
	}
}

// BenchmarkFrame is one frame (View) of the steps whose body asks for the
// height left under the header and above the footer: Connect in --sandbox
// (a note above the form), Review (a viewport) and Resources (a list of
// 1,000). The header and footer are drawn once per frame.
func BenchmarkFrame(b *testing.B) {
	frames := map[string]func(b *testing.B) *Model{
		"connect-sandbox": func(*testing.B) *Model {
			sec := flow.Secrets{UserSecret: flow.NewSecret("demo-user"), OrgSecret: flow.NewSecret("demo-org"), APISecret: flow.NewSecret("demo-app")}
			cfg := Config{Answers: flow.NewAnswers(), Secrets: sec, NoRemember: true, Sandbox: true,
				Demo: &Demo{BaseURL: "http://127.0.0.1:8080/elements/api-v2", APIKey: "demo-app-id", Secrets: sec}}
			m := New(context.Background(), cfg, lipgloss.DefaultRenderer())
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
			return m
		},
		"review": func(*testing.B) *Model {
			a := flow.NewAnswers()
			a.Polling = flow.PollingPresets()
			m := New(context.Background(), Config{Answers: a, NoRemember: true}, lipgloss.DefaultRenderer())
			m.width, m.height = 80, 24
			m.step = flow.StepReview
			m.scr = newReview(m)
			return m
		},
		"resources-1000": func(b *testing.B) *Model { return resourcesModel(b, 1000) },
	}
	for name, mk := range frames {
		b.Run(name, func(b *testing.B) {
			m := mk(b)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}
