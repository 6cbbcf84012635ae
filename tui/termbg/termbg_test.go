package termbg

import "testing"

func TestFromCOLORFGBG(t *testing.T) {
	for _, tc := range []struct {
		v        string
		dark, ok bool
	}{
		{"15;0", true, true},
		{"0;15", false, true},
		{"0;default;15", false, true}, // rxvt
		{"7;4", true, true},           // blue
		{"0;7", false, true},
		{"15;default", false, false},
		{"", false, false},
		{"12", false, false},
		{"0;99", false, false},
	} {
		dark, ok := fromCOLORFGBG(tc.v)
		if dark != tc.dark || ok != tc.ok {
			t.Errorf("fromCOLORFGBG(%q) = %v, %v; want %v, %v", tc.v, dark, ok, tc.dark, tc.ok)
		}
	}
}

func TestParseReply(t *testing.T) {
	for _, tc := range []struct {
		in                 string
		dark, colour, done bool
	}{
		{"\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[12;1R", true, true, true},
		{"\x1b]11;rgb:ffff/ffff/ffff\a\x1b[1;1R", false, true, true},
		{"\x1b]11;rgb:fd/f6/e3\x1b\\\x1b[3;40R", false, true, true}, // two digits a channel (Solarized light)
		{"\x1b]11;rgba:2828/2c2c/3434/ffff\x1b\\\x1b[3;40R", true, true, true},
		{"\x1b]11;rgb:0000/0000/0000\x1b\\", true, true, false}, // the sentinel is still on its way
		{"\x1b]11;rgb:00", false, false, false},
		{"\x1b[7;1R", false, false, true}, // no OSC 11 support: only the cursor report
		{"typed\x1b[7;1R", false, false, true},
		{"\x1b]11;nonsense\x1b\\\x1b[7;1R", false, false, true},
		{"", false, false, false},
	} {
		dark, colour, done := parseReply([]byte(tc.in))
		if dark != tc.dark || colour != tc.colour || done != tc.done {
			t.Errorf("parseReply(%q) = %v, %v, %v; want %v, %v, %v", tc.in, dark, colour, done, tc.dark, tc.colour, tc.done)
		}
	}
}
