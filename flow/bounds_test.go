package flow

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

// flag.IntVar reads 015 as octal 13; minutes are decimal.
func TestRefreshIntervalIsDecimal(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"--refresh-interval", "015"}, nil},
		{[]string{"--refresh-interval=015"}, nil},
		{nil, map[string]string{"CEWIZ_REFRESH_INTERVAL": "015"}},
	} {
		o, err := parseOptions(t, tc.args, tc.env)
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := o.Resolve(mapLookup(tc.env), files(nil))
		if err != nil || a.RefreshInterval != 15 {
			t.Fatalf("%v %v: %d, %v; want 15", tc.args, tc.env, a.RefreshInterval, err)
		}
	}
	for _, bad := range []string{"0x10", "1e1", "1_0", "ten"} {
		if _, err := parseOptions(t, []string{"--refresh-interval", bad}, nil); err == nil || !strings.Contains(err.Error(), "not a whole number") {
			t.Errorf("--refresh-interval %s: %v", bad, err)
		}
	}
	// The default still shows in --help.
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	var o Options
	o.Register(fs, FlagsBody)
	fs.PrintDefaults()
	if o.RefreshInterval != DefaultRefreshInterval || !strings.Contains(out.String(), "(default 15)") {
		t.Fatalf("default %d; help:\n%s", o.RefreshInterval, out.String())
	}
}

func TestHostAndPortBounds(t *testing.T) {
	long63, long64 := strings.Repeat("a", 63), strings.Repeat("a", 64)
	host254 := strings.Repeat("abcdefgh.", 27) + "example.com" // 254 characters, labels of 8
	if len(host254) != 254 {
		t.Fatalf("test host is %d characters", len(host254))
	}
	runValidator(t, "NormalizeBaseURL", func(s string) error { _, err := NormalizeBaseURL(s); return err }, []validatorCase{
		{"https://" + long63 + ".example.com", true, ""},
		{"https://api.example.com:443", true, ""},
		{"https://api.example.com:65535", true, ""},
		{"https://" + long64 + ".example.com", false, "at most 63"},
		{"https://" + host254, false, "at most 253"},
		{"https://api..example.com", false, "empty part"},
		{"https://api.example.com:0", false, "not a port number (1-65535)"},
		{"https://api.example.com:65536", false, "not a port number (1-65535)"},
		{"https://api.example.com:99999999999999999999", false, "not a port number"},
	})
	runValidator(t, "ValidateNotificationURL", ValidateNotificationURL, []validatorCase{
		{"https://" + long63 + ".example.com/e", true, ""},
		{"https://" + long64 + ".example.com/e", false, "at most 63"},
		{"https://" + host254 + "/e", false, "at most 253"},
		{"https://hooks.example.com:0/e", false, "1-65535"},
		{"https://hooks.example.com:70000/e", false, "1-65535"},
	})
	runValidator(t, "ValidateCallbackURL", ValidateCallbackURL, []validatorCase{
		{"https://" + long64 + ".example.com/cb", false, "at most 63"},
		{"https://" + host254 + "/cb", false, "at most 253"},
		{"https://auth.example.com:0/cb", false, "1-65535"},
	})
	runValidator(t, "ValidateDomain", ValidateDomain, []validatorCase{
		{long63 + ".docushareflex.com", true, ""},
		{long64 + ".docushareflex.com", false, "expected <company>.docushareflex.com"},
		{"https://acme.docushareflex.com:8443", false, "expected <company>.docushareflex.com"},
	})
}

func TestPlainHTTPCallbackElsewhereIsRefused(t *testing.T) {
	o, err := parseOptions(t, []string{"--callback-url", "http://auth.example.com/oauth"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = o.Resolve(mapLookup(nil), files(nil))
	mustUsage(t, err, "callback-url", "unencrypted", "https://")
	for _, good := range []string{"http://127.0.0.1:23949/callback", "http://localhost:8080/cb", "https://auth.cloudelements.io/oauth"} {
		o, _ := parseOptions(t, []string{"--callback-url", good}, nil)
		if _, _, err := o.Resolve(mapLookup(nil), files(nil)); err != nil {
			t.Errorf("%s: %v", good, err)
		}
	}
}
