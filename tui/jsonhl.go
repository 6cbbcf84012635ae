package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/cewiz/cewiz/flow"
)

// paint is a style's escape sequences around a text, worked out once:
// lipgloss's Render does a lot per call (widths, padding, borders,
// margins), and a body has a token per key, value and punctuation mark,
// tens of thousands for a large poller configuration. For a single line
// without tabs, which every JSON token is, Render(tok) is open+tok+close.
type paint struct{ open, close string }

func paintOf(st lipgloss.Style) paint {
	const mark = "\u2063" // invisible separator: no style sequence contains it
	s := st.Render(mark)
	i := strings.Index(s, mark)
	if i < 0 {
		return paint{}
	}
	return paint{open: s[:i], close: s[i+len(mark):]}
}

// jsonPaints are the JSON highlighting styles as paints.
type jsonPaints struct{ key, str, num, boolean, null, punct, secret paint }

func (st *styles) paints() *jsonPaints {
	if st.json == nil {
		st.json = &jsonPaints{key: paintOf(st.jsonKey), str: paintOf(st.jsonString), num: paintOf(st.jsonNumber),
			boolean: paintOf(st.jsonBool), null: paintOf(st.jsonNull), punct: paintOf(st.jsonPunct), secret: paintOf(st.jsonSecret)}
	}
	return st.json
}

// highlightJSON colours indented JSON (as flow.MarshalBody writes it): keys,
// strings, numbers, booleans, null, punctuation, and masked secrets and
// placeholders stand out. A tiny scanner instead of a highlighting library:
// glamour/chroma would cost tens of milliseconds at start-up.
func (st *styles) highlightJSON(src string) string {
	p := st.paints()
	var b strings.Builder
	b.Grow(len(src) * 2)
	put := func(pt paint, tok string) {
		b.WriteString(pt.open)
		b.WriteString(tok)
		b.WriteString(pt.close)
	}
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				j = len(src) - 1
			}
			tok := src[i : j+1]
			// A key is followed by a colon.
			k := j + 1
			for k < len(src) && src[k] == ' ' {
				k++
			}
			switch {
			case k < len(src) && src[k] == ':':
				put(p.key, tok)
			case isSecretToken(tok):
				put(p.secret, tok)
			default:
				put(p.str, tok)
			}
			i = j + 1
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(src) && strings.IndexByte("0123456789.eE+-", src[j]) >= 0 {
				j++
			}
			put(p.num, src[i:j])
			i = j
		case strings.HasPrefix(src[i:], "true"):
			put(p.boolean, "true")
			i += 4
		case strings.HasPrefix(src[i:], "false"):
			put(p.boolean, "false")
			i += 5
		case strings.HasPrefix(src[i:], "null"):
			put(p.null, "null")
			i += 4
		case strings.IndexByte("{}[]:,", c) >= 0:
			put(p.punct, src[i:i+1])
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func isSecretToken(tok string) bool {
	v := strings.Trim(tok, `"`)
	return v == flow.Mask || flow.IsPlaceholder(v)
}
