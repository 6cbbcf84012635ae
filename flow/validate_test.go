package flow

import (
	"strings"
	"testing"
)

// Each case: input, whether it is accepted, and a piece of the message a
// user must see (so a message that stops helping fails the test).
type validatorCase struct {
	in      string
	ok      bool
	wantMsg string
}

func runValidator(t *testing.T, name string, fn func(string) error, cases []validatorCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(name+"/"+c.in, func(t *testing.T) {
			err := fn(c.in)
			if c.ok {
				if err != nil {
					t.Fatalf("%s(%q) = %v, want accepted", name, c.in, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("%s(%q) accepted, want rejected", name, c.in)
			}
			if !strings.Contains(err.Error(), c.wantMsg) {
				t.Fatalf("%s(%q) message %q does not contain %q", name, c.in, err, c.wantMsg)
			}
		})
	}
}

func TestNormalizeDomain(t *testing.T) {
	good := map[string]string{
		"acme":                            "acme.docushareflex.com",
		"ACME":                            "acme.docushareflex.com",
		" acme ":                          "acme.docushareflex.com",
		"acme.docushareflex.com":          "acme.docushareflex.com",
		"acme.docushareflex.com.":         "acme.docushareflex.com",
		"https://acme.docushareflex.com/": "acme.docushareflex.com",
		"https://acme.docushareflex.com/dsweb/View/x": "acme.docushareflex.com",
		"http://Acme-2.docushareflex.com":             "acme-2.docushareflex.com",
		"acme.docushareflex.com/dsweb":                "acme.docushareflex.com",
		"https://acme.docushareflex.com?x=1":          "acme.docushareflex.com",
	}
	for in, want := range good {
		got, err := NormalizeDomain(in)
		if err != nil || got != want {
			t.Errorf("NormalizeDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	runValidator(t, "ValidateDomain", ValidateDomain, []validatorCase{
		{"", false, "is empty"},
		{"   ", false, "is empty"},
		{"acme.example.com", false, "expected <company>.docushareflex.com"},
		{"www.acme.docushareflex.com", false, "expected <company>.docushareflex.com"},
		{"docushareflex.com", false, "expected <company>.docushareflex.com"},
		{"-acme", false, "e.g. acme.docushareflex.com"},
		{"ac_me", false, "expected"},
		{"ftp://acme.docushareflex.com", false, "expected"},
		{"https://acme.docushareflex.com:8443/", false, "expected"},
		{"https://user@acme.docushareflex.com/", false, "expected"},
		{"acme docushareflex.com", false, "expected"},
		{strings.Repeat("a", 64), false, "expected"},
		{strings.Repeat("a", 63), true, ""},
		{"a", true, ""},
	})
}

func TestValidateNotificationURL(t *testing.T) {
	runValidator(t, "ValidateNotificationURL", ValidateNotificationURL, []validatorCase{
		{"https://www.mycoolapplication.com/events", true, ""},
		{"https://example.com:8443/hook?x=1", true, ""},
		{"http://127.0.0.1:9000/events", true, ""},
		{"http://localhost/events", true, ""},
		{"", false, "is empty"},
		// No https-only rule: Cloud Elements' own examples use http://.
		{"http://example.com/events", true, ""},
		{"http://mycoolapp.com", true, ""},
		{"ftp://example.com/events", false, "must start with https://"},
		{"example.com/events", false, "not an absolute URL"},
		{"/events", false, "not an absolute URL"},
		{"https://user:pw@example.com/", false, "user name or password"},
	})
	if w, err := CheckNotificationURL("http://[::1]:8080/x"); err != nil || w != ErrLoopbackHTTP {
		t.Fatalf("http on loopback: warning %v, err %v; want ErrLoopbackHTTP and nil", w, err)
	}
	if w, _ := CheckNotificationURL("https://example.com/x"); w != nil {
		t.Fatalf("https gave a warning: %v", w)
	}
	if w, err := CheckNotificationURL("http://hooks.example.com/x"); err != nil || w != ErrPlainHTTP {
		t.Fatalf("plain http elsewhere: warning %v, err %v; want ErrPlainHTTP and nil", w, err)
	}
	for in, want := range map[string]string{
		"http://hooks.example.com/x": "unencrypted",
		"http://127.0.0.1:9/x":       "testing only",
		"https://hooks.example.com":  "",
		"":                           "",
		"ftp://x":                    "", // an error, not a warning
	} {
		if got := NotificationURLWarning(in); (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("NotificationURLWarning(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseRefreshInterval(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "15": 15, " 60 ": 60, "1440": 1440} {
		if got, err := ParseRefreshInterval(in); err != nil || got != want {
			t.Errorf("ParseRefreshInterval(%q) = %d, %v", in, got, err)
		}
	}
	runValidator(t, "ValidateRefreshInterval", ValidateRefreshInterval, []validatorCase{
		{"0", false, "between 1 and 1440"},
		{"1441", false, "between 1 and 1440"},
		{"-5", false, "between 1 and 1440"},
		{"1.5", false, "whole number of minutes"},
		{"15m", false, "whole number of minutes"},
		{"", false, "whole number of minutes"},
		{"ten", false, "whole number of minutes"},
	})
}

func TestValidateNameAndTags(t *testing.T) {
	runValidator(t, "ValidateName", ValidateName, []validatorCase{
		{"myCoolInstance", true, ""},
		{"myCoolInstance with Polling", true, ""},
		{"", false, "is empty"},
		{"  ", false, "is empty"},
		{" x", false, "spaces at its start or end"},
		{"a\tb", false, "control character"},
		{strings.Repeat("n", MaxNameLength+1), false, "keep it under"},
	})
	runValidator(t, "ValidateTag", ValidateTag, []validatorCase{
		{"prod", true, ""},
		{"team docs", true, ""},
		{"", false, "is empty"},
		{"a,b", false, "comma"},
		{" a", false, "spaces"},
		{"a\nb", false, "control character"},
		{strings.Repeat("t", MaxTagLength+1), false, "keep it under"},
	})
	tags, err := ParseTags(" prod, docs ,,prod ")
	if err != nil || strings.Join(tags, "|") != "prod|docs" {
		t.Fatalf("ParseTags = %q, %v", tags, err)
	}
	if _, err := ParseTags("ok, bad\x01"); err == nil {
		t.Fatal("ParseTags accepted a control character")
	}
}

func TestValidateAPIKeyAndSecrets(t *testing.T) {
	runValidator(t, "ValidateAPIKey", ValidateAPIKey, []validatorCase{
		{"abc123", true, ""},
		{"", false, "Application ID is empty"},
		{"abc 123", false, "contains spaces"},
		{"abc\n", false, "contains spaces"},
	})
	runValidator(t, "ValidateSecretText", ValidateSecretText("User secret"), []validatorCase{
		{"s3cr3t+/=", true, ""},
		{"", false, "User secret is empty"},
		{"a b", false, "contains spaces"},
	})
	// The message never repeats the secret.
	if err := ValidateSecretText("User secret")("TOP SECRET"); strings.Contains(err.Error(), "TOP") {
		t.Fatalf("the message echoes the secret: %v", err)
	}
}

func TestValidateCallbackURL(t *testing.T) {
	runValidator(t, "ValidateCallbackURL", ValidateCallbackURL, []validatorCase{
		{"https://auth.cloudelements.io/oauth", true, ""},
		{"http://127.0.0.1:23949/callback", true, ""},
		{"http://localhost:8080/cb", true, ""},
		{"", false, "empty"},
		{"auth.cloudelements.io/oauth", false, "absolute URL"},
		{"ftp://x/y", false, "http:// or https://"},
		{"https://u:p@x/y", false, "user name or password"},
		{"https://x/y#frag", false, "#fragment"},
		{"http://127.0.0.1:99999/cb", false, "port"},
	})
}

func TestValidateResourceFields(t *testing.T) {
	runValidator(t, "ValidateResourceName", ValidateResourceName, []validatorCase{
		{"events", true, ""},
		{"files.metadata", true, ""},
		// Cloud Elements' docs name resources with / (Google Suite's events page).
		{"calendars/primary/changed-events", true, ""},
		{"calendars/{calendarId}/changed-events", true, ""},
		{"a=b", false, "not a resource name"},
		{"", false, "is empty"},
		{"1files", false, "starting with a letter"},
		{"my files", false, "not a resource name"},
	})
	runValidator(t, "ValidateFieldPath", ValidateFieldPath, []validatorCase{
		{"id", true, ""},
		{"customer.id", true, ""},
		{"$id", true, ""},
		{"", false, "is empty"},
		{"a..b", false, "dot path"},
		{".id", false, "dot path"},
		{"modified date", false, "not a field name"},
	})
	runValidator(t, "ValidateResourceURL", ValidateResourceURL, []validatorCase{
		{"/hubs/documents/events", true, ""},
		{"/hubs/crm/contacts?where=updated_after_utc='${gmtDate:yyyy-MM-dd HH:mm:ss}'", true, ""},
		{"/x?where=t>${epoch}", true, ""},
		{"/x?where=t>${epoch:s}", true, ""},
		{"/x?where=d>'${dateTimeZone:GMT:yyyy-MM-dd}'", true, ""},
		{"", false, "is empty"},
		{"hubs/documents/events", false, "starting with /"},
		{"https://x/hubs", false, "starting with /"},
		{"/x?where=${gmtDate:yyyy-MM-dd", false, "not closed"},
		{"/x?where=${gmtDate:yyyy-MM-ddTHH}", false, "letter \"T\""},
		{"/x?where=${epoch:ms}", false, "${epoch:s}"},
		{"/x?where=${now}", false, "not a known template"},
		{"/x?where=${dateTimeZone:yyyy}", false, "zone and a pattern"},
	})
}

func TestValidateDateFormat(t *testing.T) {
	runValidator(t, "ValidateDateFormat", ValidateDateFormat, []validatorCase{
		{"milliseconds", true, ""},
		{"yyyy-MM-dd'T'HH:mm:ss'Z'", true, ""},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", true, ""},
		{"yyyy-MM-dd HH:mm:ss", true, ""},
		{"MM/dd/yyyy", true, ""},
		{"EEE, dd MMM yyyy HH:mm:ss Z", true, ""},
		{"hh 'o''clock' a", true, ""},
		{"", false, "is empty"},
		{"yyyy-MM-ddTHH:mm:ss", false, "put literal text in quotes, e.g. 'T'"},
		{"yyyy-MM-dd'T", false, "unclosed quote"},
		{"'just text'", false, "no date letters"},
		{"--//", false, "no date letters"},
		{"Milliseconds", false, "letter"},
		{"yyyy\x00", false, "control character"},
	})
}

func TestNormalizeBaseURL(t *testing.T) {
	good := map[string]string{
		"api.cloud-elements.com":                          Regions["us"],
		"https://api.cloud-elements.com":                  Regions["us"],
		"https://api.cloud-elements.com/":                 Regions["us"],
		"https://api.cloud-elements.com/elements/api-v2/": Regions["us"],
		"https://API.cloud-elements.co.uk/elements":       Regions["eu"],
		"http://127.0.0.1:8080":                           "http://127.0.0.1:8080/elements/api-v2",
		"http://localhost:1/elements/api-v2":              "http://localhost:1/elements/api-v2",
	}
	for in, want := range good {
		if got, err := NormalizeBaseURL(in); err != nil || got != want {
			t.Errorf("NormalizeBaseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                                 "is empty",
		"http://api.cloud-elements.com":    "must use https",
		"ftp://api.cloud-elements.com":     "must start with https://",
		"https://api.cloud-elements.com/x": "must end in /elements/api-v2",
		"https://x.com/?a=1":               "not a base URL",
	}
	for in, want := range bad {
		if _, err := NormalizeBaseURL(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NormalizeBaseURL(%q) error %v, want it to contain %q", in, err, want)
		}
	}
	if _, err := RegionBaseURL("mars"); err == nil || !strings.Contains(err.Error(), "us, eu, staging, sap-us, sap-eu") {
		t.Errorf("RegionBaseURL(mars) = %v", err)
	}
	for _, r := range RegionNames {
		u, err := RegionBaseURL(r)
		if err != nil || RegionOf(u) != r {
			t.Errorf("region %s: %q %v", r, u, err)
		}
		if n, err := NormalizeBaseURL(u); err != nil || n != u {
			t.Errorf("preset %s does not normalise to itself: %q %v", r, n, err)
		}
	}
}
