package tui

import (
	"bufio"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPicturesShowTheGoldens: each of the README's pictures
// (docs/pictures/pictures.txt) shows its golden screen line for line, so a
// golden that changed (go test -update) fails here until docs/pictures.sh
// renders the pictures again. It reads the SVG's text, so it needs no
// freeze: what it checks is what a reader of the README sees.
func TestPicturesShowTheGoldens(t *testing.T) {
	list, err := os.Open(filepath.Join("..", "docs", "pictures", "pictures.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer list.Close()
	n := 0
	sc := bufio.NewScanner(list)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) != 2 {
			t.Fatalf("pictures.txt: %q is not \"name golden\"", sc.Text())
		}
		n++
		name, golden := f[0], f[1]
		want, err := os.ReadFile(filepath.Join("testdata", golden))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		svg, err := os.Open(filepath.Join("..", "docs", "pictures", name+".svg"))
		if err != nil {
			t.Fatalf("%s: %v (run docs/pictures.sh)", name, err)
		}
		got, err := svgLines(svg)
		svg.Close()
		if err != nil {
			t.Fatalf("%s.svg: %v", name, err)
		}
		if w, g := nonEmpty(string(want)), nonEmpty(strings.Join(got, "\n")); w != g {
			t.Errorf("docs/pictures/%s.svg does not show tui/testdata/%s: run docs/pictures.sh\npicture:\n%s\ngolden:\n%s", name, golden, g, w)
		}
	}
	if n == 0 {
		t.Fatal("pictures.txt lists no picture")
	}
}

// svgLines is the text of each <text> element of an SVG, in order.
func svgLines(r io.Reader) ([]string, error) {
	d := xml.NewDecoder(r)
	d.Strict = false // the DOCTYPE names an external DTD
	var lines []string
	depth := 0
	var cur strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "text" {
				depth++
				cur.Reset()
			}
		case xml.EndElement:
			if tok.Name.Local == "text" && depth > 0 {
				depth--
				lines = append(lines, cur.String())
			}
		case xml.CharData:
			if depth > 0 {
				cur.Write(tok)
			}
		}
	}
}

// nonEmpty is s's lines without trailing spaces, blank lines left out.
func nonEmpty(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
