package tui

import (
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
)

// styles holds every lipgloss style of the wizard, made with one renderer
// (bound to the UI's output, stderr), so that redirecting stdout never
// changes the UI's colours and NO_COLOR turns them all off.
type styles struct {
	app, dim, badge, title, explain, flash lipgloss.Style
	helpKey, helpDesc, helpSep             lipgloss.Style
	spinner                                lipgloss.Style
	label, value, code, url, ok, warn      lipgloss.Style
	errTitle, errBox, errLabel, hint       lipgloss.Style
	cursor, checked, unchecked, selected   lipgloss.Style
	box                                    lipgloss.Style
	// JSON highlighting.
	jsonKey, jsonString, jsonNumber, jsonBool, jsonNull, jsonPunct, jsonSecret lipgloss.Style
	json                                                                       *jsonPaints // made from them on first use
	huh                                                                        *huh.Theme
}

// Colours, adaptive to the terminal's background.
var (
	colAccent = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#B4A7FF"}
	colDim    = lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#9A9A9A"}
	colOK     = lipgloss.AdaptiveColor{Light: "#1B7F3B", Dark: "#5FD787"}
	colWarn   = lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#FFD75F"}
	colErr    = lipgloss.AdaptiveColor{Light: "#B3261E", Dark: "#FF6B6B"}
	colKey    = lipgloss.AdaptiveColor{Light: "#005F87", Dark: "#87D7FF"}
	colString = lipgloss.AdaptiveColor{Light: "#1B7F3B", Dark: "#A8E6A3"}
	colNumber = lipgloss.AdaptiveColor{Light: "#9A3412", Dark: "#FFAF87"}
)

func newStyles(r *lipgloss.Renderer) *styles {
	n := r.NewStyle
	s := &styles{
		app:       n().Bold(true).Foreground(colAccent),
		dim:       n().Foreground(colDim),
		badge:     n().Foreground(colWarn).Bold(true),
		title:     n().Bold(true),
		explain:   n().Foreground(colDim),
		flash:     n().Foreground(colOK),
		helpKey:   n().Foreground(colKey),
		helpDesc:  n().Foreground(colDim),
		helpSep:   n().Foreground(colDim),
		spinner:   n().Foreground(colAccent),
		label:     n().Bold(true),
		value:     n(),
		code:      n().Foreground(colKey),
		url:       n().Foreground(colKey).Underline(false),
		ok:        n().Foreground(colOK).Bold(true),
		warn:      n().Foreground(colWarn),
		errTitle:  n().Foreground(colErr).Bold(true),
		errBox:    n().Border(lipgloss.RoundedBorder()).BorderForeground(colErr).Padding(0, 1),
		errLabel:  n().Bold(true),
		hint:      n().Foreground(colWarn),
		cursor:    n().Foreground(colAccent).Bold(true),
		checked:   n().Foreground(colOK),
		unchecked: n().Foreground(colDim),
		selected:  n().Bold(true),
		box:       n().Border(lipgloss.RoundedBorder()).BorderForeground(colDim).Padding(0, 1),

		jsonKey:    n().Foreground(colKey),
		jsonString: n().Foreground(colString),
		jsonNumber: n().Foreground(colNumber),
		jsonBool:   n().Foreground(colAccent),
		jsonNull:   n().Foreground(colDim),
		jsonPunct:  n().Foreground(colDim),
		jsonSecret: n().Foreground(colWarn).Bold(true),
	}
	s.huh = huhTheme()
	return s
}

// huhTheme is huh's Charm theme with choices that read without colour
// (NO_COLOR, a monochrome terminal, a screen capture): the chosen button of
// a Yes/No is bracketed, [ Yes ]  No , not told apart by its background
// alone.
func huhTheme() *huh.Theme {
	t := huh.ThemeCharm()
	chosen := lipgloss.Border{Left: "[", Right: "]"}
	other := lipgloss.Border{Left: " ", Right: " "}
	button := func(st lipgloss.Style, b lipgloss.Border) lipgloss.Style {
		return st.Padding(0, 1).MarginRight(1).
			Border(b, false, true, false, true).
			BorderForeground(colAccent)
	}
	for _, f := range []*huh.FieldStyles{&t.Focused, &t.Blurred} {
		f.FocusedButton = button(f.FocusedButton, chosen)
		f.BlurredButton = button(f.BlurredButton, other)
	}
	t.Focused.Next = t.Focused.FocusedButton
	return t
}

// doctorStyles are the styles of the doctor's live list (doctor.go).
type doctorStyles struct {
	title, pending, next, summary lipgloss.Style
	pass, warn, fail, skip        lipgloss.Style
}

func newDoctorStyles(r *lipgloss.Renderer) doctorStyles {
	n := r.NewStyle
	return doctorStyles{
		title: n().Bold(true).Foreground(colAccent), pending: n().Foreground(colAccent),
		next: n().Foreground(colDim), summary: n().Bold(true),
		pass: n().Foreground(colOK).Bold(true), warn: n().Foreground(colWarn).Bold(true),
		fail: n().Foreground(colErr).Bold(true), skip: n().Foreground(colDim),
	}
}
