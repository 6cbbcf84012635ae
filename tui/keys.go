package tui

import (
	"strconv"

	"github.com/cewiz/cewiz/flow"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/huh"
)

// keyMap holds every key binding of the wizard.
type keyMap struct {
	// Everywhere. One word per meaning: "back" is the previous step (esc),
	// "cancel" is ctrl+c (exit 130, nothing written), "quit" is q where a
	// screen offers to leave with what was done; moving between fields is
	// "previous field"/"next".
	Quit     key.Binding // ctrl+c: cancel, exit 130
	Back     key.Binding // esc: the previous step
	Help     key.Binding // ?: every key of the screen (only when no text field has focus)
	HelpOpen key.Binding // ? again or esc: close the list

	// Authorize.
	Reopen     key.Binding
	CopyURL    key.Binding
	Paste      key.Binding
	Skip       key.Binding
	Retry      key.Binding
	Continue   key.Binding
	AuthAgain  key.Binding
	Yes, No    key.Binding
	SubmitText key.Binding
	CancelText key.Binding

	// Resources.
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Toggle                                  key.Binding
	Filter                                  key.Binding
	ClearFilter                             key.Binding
	CopyEvents                              key.Binding
	UseDefault                              key.Binding
	Done                                    key.Binding
	// While filtering, letters go to the filter: only the arrows move.
	FilterUp, FilterDown key.Binding

	// Review.
	Create        key.Binding
	Export        key.Binding
	ExportSecrets key.Binding
	Curl          key.Binding
	CopyCurl      key.Binding
	SaveCurl      key.Binding
	CreateAnother key.Binding
	Rename        key.Binding
	Edit          key.Binding
	QuitAction    key.Binding
	Scroll        key.Binding

	// Result and error.
	Reveal    key.Binding
	RevealKey key.Binding // the notification signature key, shown once
	CopyToken key.Binding
	Doctor    key.Binding
	EditStep  key.Binding
	Finish    key.Binding

	// form is huh's key map with ctrl+c left to the root.
	form *huh.KeyMap
}

func newKeyMap() keyMap {
	b := func(help string, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	k := keyMap{
		Quit:     b("ctrl+c", "cancel", "ctrl+c"),
		Back:     b("esc", "back", "esc"),
		Help:     b("?", "all keys", "?"),
		HelpOpen: b("?/esc", "close this list", "?", "esc"),

		Reopen:     b("o", "open browser", "o"),
		CopyURL:    b("c", "copy address", "c"),
		Paste:      b("p", "paste address/code", "p"),
		Skip:       b("s", "skip (export only)", "s"),
		Retry:      b("r", "try again", "r"),
		Continue:   b("enter", "continue", "enter"),
		AuthAgain:  b("a", "authorize again", "a"),
		Yes:        b("y", "yes", "y", "Y"),
		No:         b("n", "no", "n", "N"),
		SubmitText: b("enter", "submit", "enter"),
		CancelText: b("esc", "cancel", "esc"),

		Up:          b("↑/k", "up", "up", "k"),
		Down:        b("↓/j", "down", "down", "j"),
		PageUp:      b("pgup", "page up", "pgup"),
		PageDown:    b("pgdn", "page down", "pgdown"),
		Top:         b("home", "top", "home", "g"),
		Bottom:      b("end", "bottom", "end", "G"),
		Toggle:      b("space", "tick", " ", "x"),
		Filter:      b("/", "filter", "/"),
		ClearFilter: b("esc", "clear filter", "esc"),
		CopyEvents:  b("c", "copy events config to…", "c"),
		UseDefault:  b("d", "element's default", "d"),
		Done:        b("enter", "continue", "enter"),
		FilterUp:    b("↑", "up", "up"),
		FilterDown:  b("↓", "down", "down"),

		Create:        b("enter", "create", "enter"),
		Export:        b("e", "export (no secrets)", "e"),
		ExportSecrets: b("E", "export with secrets…", "E"),
		Curl:          b("u", "cURL", "u"),
		CopyCurl:      b("c", "copy cURL", "c"),
		SaveCurl:      b("s", "save cURL", "s"),
		CreateAnother: b("c", "create another", "c"),
		Rename:        b("r", "rename", "r"),
		Edit:          editKeys(),
		QuitAction:    b("q", "quit", "q"),
		Scroll:        b("↑/↓", "scroll", "up", "down", "pgup", "pgdown"),

		Reveal:    b("r", "reveal token", "r"),
		RevealKey: b("k", "signing key", "k"),
		CopyToken: b("c", "copy token", "c"),
		Doctor:    b("d", "run the doctor", "d"),
		EditStep:  b("e", "edit a step", "e"),
		Finish:    b("enter", "done", "enter", "q"),
	}
	k.form = formKeyMap()
	return k
}

// formKeyMap is huh's key map in the wizard's words: shift+tab is
// "previous field" (esc is "back", the previous step), ctrl+c belongs to
// the root, and the choice lists do not filter (the few options fit, and a
// "/" would otherwise switch a list into typing mode).
func formKeyMap() *huh.KeyMap {
	fk := huh.NewDefaultKeyMap()
	fk.Quit = key.NewBinding(key.WithDisabled()) // the root owns ctrl+c
	prev := func() key.Binding {
		return key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field"))
	}
	fk.Input.Prev, fk.Text.Prev, fk.Select.Prev, fk.MultiSelect.Prev = prev(), prev(), prev(), prev()
	fk.Note.Prev, fk.Confirm.Prev, fk.FilePicker.Prev = prev(), prev(), prev()
	fk.Select.Filter.SetEnabled(false)
	fk.MultiSelect.Filter.SetEnabled(false)
	return fk
}

// editKeys are the digits that open the steps Review can edit (1-7).
func editKeys() key.Binding {
	n := len(flow.EditableSteps())
	digits := make([]string, n)
	for i := range digits {
		digits[i] = strconv.Itoa(i + 1)
	}
	return key.NewBinding(key.WithKeys(digits...), key.WithHelp("1-"+digits[n-1], "edit a step"))
}

// doctorKeyMap holds the doctor checklist's bindings (DoctorModel is a
// program of its own, without the wizard's keyMap).
type doctorKeyMap struct {
	Cancel key.Binding // ctrl+c: cancel the checks
	Close  key.Binding // once done: quit
}

var doctorKeys = doctorKeyMap{
	Cancel: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "cancel")),
	Close:  key.NewBinding(key.WithKeys("enter", "esc", "q"), key.WithHelp("enter", "back")),
}
