package tui

import (
	"strings"

	"github.com/cewiz/cewiz/flow"
)

// highlightJSON colours indented JSON (as flow.MarshalBody writes it): keys,
// strings, numbers, booleans, null, punctuation, and masked secrets and
// placeholders stand out. A tiny scanner instead of a highlighting library:
// glamour/chroma would cost tens of milliseconds at start-up.
func (st *styles) highlightJSON(src string) string {
	var b strings.Builder
	b.Grow(len(src) * 2)
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
				b.WriteString(st.jsonKey.Render(tok))
			case isSecretToken(tok):
				b.WriteString(st.jsonSecret.Render(tok))
			default:
				b.WriteString(st.jsonString.Render(tok))
			}
			i = j + 1
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(src) && strings.IndexByte("0123456789.eE+-", src[j]) >= 0 {
				j++
			}
			b.WriteString(st.jsonNumber.Render(src[i:j]))
			i = j
		case strings.HasPrefix(src[i:], "true"):
			b.WriteString(st.jsonBool.Render("true"))
			i += 4
		case strings.HasPrefix(src[i:], "false"):
			b.WriteString(st.jsonBool.Render("false"))
			i += 5
		case strings.HasPrefix(src[i:], "null"):
			b.WriteString(st.jsonNull.Render("null"))
			i += 4
		case strings.IndexByte("{}[]:,", c) >= 0:
			b.WriteString(st.jsonPunct.Render(string(c)))
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
