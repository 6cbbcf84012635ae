package tui

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/cewiz/cewiz/flow"
)

// TestPaintIsRender: a paint worked out once writes exactly what the
// style's Render writes, for every JSON style and token, in colour.
func TestPaintIsRender(t *testing.T) {
	r := lipgloss.NewRenderer(&bytes.Buffer{})
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	st := newStyles(r)
	styles := []lipgloss.Style{st.jsonKey, st.jsonString, st.jsonNumber, st.jsonBool, st.jsonNull, st.jsonPunct, st.jsonSecret}
	tokens := []string{`"name"`, `"é ✓ 名前"`, `"a \"quoted\" \\ value"`, "-12.5e3", "true", "null", "{", ",", `"********"`}
	for i, s := range styles {
		p := paintOf(s)
		if p.open == "" {
			t.Errorf("style %d has no colour in TrueColor", i)
		}
		for _, tok := range tokens {
			if got, want := p.open+tok+p.close, s.Render(tok); got != want {
				t.Errorf("style %d, %q: paint %q, Render %q", i, tok, got, want)
			}
		}
	}
	a := flow.NewAnswers()
	a.Polling = elementDefaultConfig(50)
	body, err := flow.MarshalBody(flow.BuildBody(a, flow.Secrets{}, flow.SecretsMasked))
	if err != nil {
		t.Fatal(err)
	}
	src := strings.TrimRight(string(body), "\n")
	hl := st.highlightJSON(src)
	if hl == src || ansi.Strip(hl) != src {
		t.Errorf("highlighting changed the text or coloured nothing")
	}
}
