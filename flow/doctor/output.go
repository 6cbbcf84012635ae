package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// PlainStyle chooses the marks of the plain writer.
type PlainStyle int

const (
	// Words writes PASS, WARN, FAIL, SKIP (usable without colour or Unicode).
	Words PlainStyle = iota
	// Symbols writes ✓ ! ✗ -.
	Symbols
)

// FormatPlain writes one result as a line, plus an indented next step.
func FormatPlain(r Result, style PlainStyle) string {
	mark := r.Status.Label()
	if style == Symbols {
		mark = r.Status.Symbol()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s: %s\n", mark, r.Title, r.Finding)
	if r.Next != "" && r.Status != Pass {
		indent := strings.Repeat(" ", len([]rune(mark))+2)
		fmt.Fprintf(&b, "%s→ %s\n", indent, r.Next)
	}
	return b.String()
}

// Summary is the closing line: counts and the verdict.
func Summary(rep Report) string {
	verdict := "No problems found."
	switch {
	case rep.Unexplained() != "":
		verdict = rep.Unexplained()
	case rep.Failed():
		verdict = "Fix the failed checks above, then run the doctor again."
	case rep.Count(Warn) > 0:
		verdict = "No failures; read the warnings above."
	}
	warnings := "warnings"
	if rep.Count(Warn) == 1 {
		warnings = "warning"
	}
	return fmt.Sprintf("%d passed, %d %s, %d failed, %d skipped (%s). %s\n",
		rep.Count(Pass), rep.Count(Warn), warnings, rep.Count(Fail), rep.Count(Skip), rep.Duration.Round(time.Millisecond), verdict)
}

// WritePlain writes a finished report.
func WritePlain(w io.Writer, rep Report, style PlainStyle) error {
	var b strings.Builder
	for _, r := range rep.Results {
		b.WriteString(FormatPlain(r, style))
	}
	b.WriteString(Summary(rep))
	_, err := io.WriteString(w, b.String())
	return err
}

// PlainStream prints results as they arrive but in the checklist's order:
// a result is written once every check listed before it has been written,
// so the output is the same on every run and still appears early.
type PlainStream struct {
	w     io.Writer
	style PlainStyle
	order map[string]int
	mu    sync.Mutex
	got   map[int]Result
	next  int
}

// NewPlainStream prepares a stream for the checks of cfg.
func NewPlainStream(w io.Writer, checks []Check, style PlainStyle) *PlainStream {
	s := &PlainStream{w: w, style: style, order: map[string]int{}, got: map[int]Result{}}
	for i, c := range checks {
		s.order[c.ID] = i
	}
	return s
}

// Add is Run's onResult.
func (s *PlainStream) Add(r Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.order[r.ID]
	if !ok {
		return
	}
	s.got[i] = r
	for {
		x, ok := s.got[s.next]
		if !ok {
			return
		}
		_, _ = io.WriteString(s.w, FormatPlain(x, s.style))
		delete(s.got, s.next)
		s.next++
	}
}

// RunPlain runs the doctor and writes it to w as plain lines: each result
// as soon as the checks before it are written (NewPlainStream), then the
// summary line. A write error is returned with the report.
func RunPlain(ctx context.Context, cfg Config, deps Deps, w io.Writer, style PlainStyle) (Report, error) {
	stream := NewPlainStream(w, Checks(cfg), style)
	rep := Run(ctx, cfg, deps, stream.Add)
	_, err := io.WriteString(w, Summary(rep))
	return rep, err
}

// JSONReport is the --json document.
type JSONReport struct {
	OK         bool     `json:"ok"`
	Passed     int      `json:"passed"`
	Warnings   int      `json:"warnings"`
	Failed     int      `json:"failed"`
	Skipped    int      `json:"skipped"`
	DurationMS int64    `json:"durationMs"`
	Checks     []Result `json:"checks"`
}

// ToJSON builds the --json document.
func ToJSON(rep Report) JSONReport {
	checks := rep.Results
	if checks == nil {
		checks = []Result{}
	}
	return JSONReport{
		OK: !rep.Failed(), Passed: rep.Count(Pass), Warnings: rep.Count(Warn), Failed: rep.Count(Fail), Skipped: rep.Count(Skip),
		DurationMS: rep.Duration.Milliseconds(), Checks: checks,
	}
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, rep Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(ToJSON(rep))
}
