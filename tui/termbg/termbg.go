// Package termbg answers one question for the wizard's colours: is the
// terminal's background dark? It asks the terminal at most once per process,
// waits for the answer at most Timeout, and does not ask at all when the
// answer is already known (NO_COLOR, COLORFGBG, TERM=dumb, a multiplexer,
// not a terminal).
//
// # Why a package of its own, and why its init matters
//
// Bubble Tea v1 asks the same question in its package init (tea_init.go:
// `_ = lipgloss.HasDarkBackground()`), through lipgloss's default renderer
// on stdout, and termenv waits up to 5 seconds for the reply. In a terminal
// that never answers (some CI terminals, serial consoles, multiplexers) every
// Bubble Tea v1 program therefore starts 5 seconds late, before main has run.
// The only way to answer before that init is another init that runs first.
// The Go spec fixes the order: packages are initialised one at a time, each
// time the first package, sorted by import path, whose imports are all
// initialised. This package's path, github.com/cewiz/cewiz/tui/termbg, sorts
// before github.com/charmbracelet/bubbletea, and everything it imports
// (lipgloss, termenv, x/sys/unix and the standard library) is imported by
// Bubble Tea too, so this package is always ready no later than Bubble Tea
// and is initialised first. Its init tells lipgloss's default renderer
// "dark" (SetHasDarkBackground), which makes Bubble Tea's init return at
// once without a query. Keep this package's imports within Bubble Tea's
// (never import Bubble Tea, huh or bubbles here): TestInitRunsBeforeBubbleTea
// checks the order in the built binary.
//
// The real question is asked later, and only by the commands that draw a UI
// on a terminal (the wizard and the doctor's live list): tui.NewRenderer
// calls Detect for its output (stderr) before anything renders, and gives
// the answer to that renderer. `cewiz version`, `cewiz export > f` and the
// other commands never query the terminal.
package termbg

import (
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Timeout bounds the wait for the terminal's answer. A local terminal
// answers in well under a millisecond, one over ssh in a round trip.
const Timeout = 150 * time.Millisecond

func init() {
	// Before Bubble Tea's init asks (see the package comment): the guess
	// termenv itself falls back to, a dark background. Detect replaces it
	// for the renderer the UI draws with.
	lipgloss.SetHasDarkBackground(true)
}

// Answer is what Detect found out.
type Answer struct {
	// Dark: the background is dark (also the guess when it is unknown).
	Dark bool
	// Asked: the terminal was sent a query.
	Asked bool
	// Late: the terminal did not answer within Timeout. If it answers
	// after all, its answer arrives as input: the UI must not take it for
	// keys (tui drops it).
	Late bool
	// How says where the answer comes from (for tests and debugging).
	How string
}

var (
	once   sync.Once
	answer Answer
)

// Detect returns whether the background of the terminal behind w is dark.
// The first call decides for the whole process (a second UI in the same
// run, the doctor after the wizard, reuses the answer without asking
// again). getenv reads the environment (nil: os.Getenv).
func Detect(w io.Writer, getenv func(string) string) Answer {
	once.Do(func() {
		if getenv == nil {
			getenv = os.Getenv
		}
		f, _ := w.(*os.File)
		answer = detect(f, os.Stdin, getenv, Timeout)
	})
	return answer
}

// detect decides without asking when it can, and otherwise asks the
// terminal out (reading the reply from in when in is the same terminal, or
// from out itself), waiting at most timeout.
func detect(out, in *os.File, getenv func(string) string, timeout time.Duration) Answer {
	if getenv("NO_COLOR") != "" {
		return Answer{Dark: true, How: "NO_COLOR is set: no colours"}
	}
	if dark, ok := fromCOLORFGBG(getenv("COLORFGBG")); ok {
		return Answer{Dark: dark, How: "COLORFGBG"}
	}
	term := getenv("TERM")
	if term == "dumb" || strings.HasPrefix(term, "screen") || strings.HasPrefix(term, "tmux") {
		// As termenv: a dumb terminal has no colours, and a multiplexer may
		// be attached to several terminals at once.
		return Answer{Dark: true, How: "TERM=" + term + ": not asked"}
	}
	if out == nil {
		return Answer{Dark: true, How: "not a terminal"}
	}
	return query(out, in, timeout)
}

// fromCOLORFGBG reads the background from COLORFGBG ("15;0", rxvt's
// "15;default;0"): the last field is the background's ANSI colour index.
func fromCOLORFGBG(v string) (dark, ok bool) {
	i := strings.LastIndexByte(v, ';')
	if i < 0 {
		return false, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v[i+1:]))
	if err != nil || n < 0 || n > 15 {
		return false, false
	}
	_, _, l := termenv.ConvertToRGB(termenv.ANSIColor(n)).Hsl()
	return l < 0.5, true
}

// parseReply looks for the answer to OSC 11 ("ESC ] 11 ; rgb:R/G/B" ended
// by BEL or ST) and the cursor-position report ("ESC [ row ; col R") sent
// after it as a sentinel: every terminal answers that one, in order, so
// seeing it means an OSC 11 answer, if any, has arrived.
func parseReply(b []byte) (dark, haveColour, done bool) {
	s := string(b)
	if i := strings.Index(s, "\x1b]11;"); i >= 0 {
		body := s[i+5:]
		end := strings.IndexAny(body, "\a\x1b")
		if end >= 0 {
			dark, haveColour = darkRGB(body[:end])
		}
	}
	for i := strings.Index(s, "\x1b["); i >= 0; {
		rest := s[i+2:]
		j := 0
		for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || rest[j] == ';') {
			j++
		}
		if j > 0 && j < len(rest) && rest[j] == 'R' {
			return dark, haveColour, true
		}
		k := strings.Index(rest, "\x1b[")
		if k < 0 {
			break
		}
		i += 2 + k
	}
	return dark, haveColour, false
}

// darkRGB reads "rgb:RRRR/GGGG/BBBB" (1 to 4 hex digits a channel; "rgba:"
// has a fourth) and reports whether its HSL lightness is under one half,
// the rule termenv uses.
func darkRGB(v string) (dark, ok bool) {
	v = strings.TrimPrefix(strings.TrimPrefix(v, "rgba:"), "rgb:")
	parts := strings.Split(v, "/")
	if len(parts) < 3 {
		return false, false
	}
	var c [3]float64
	for i := range c {
		p := parts[i]
		if len(p) < 1 || len(p) > 4 {
			return false, false
		}
		n, err := strconv.ParseUint(p, 16, 16)
		if err != nil {
			return false, false
		}
		c[i] = float64(n) / float64(uint64(1)<<(4*len(p))-1)
	}
	hi, lo := max(c[0], c[1], c[2]), min(c[0], c[1], c[2])
	return (hi+lo)/2 < 0.5, true
}
