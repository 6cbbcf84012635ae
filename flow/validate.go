package flow

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/cewiz/cewiz/oauthlistener"
)

// Every validator returns nil or an error whose text is one sentence a user
// can act on; the same functions back huh's Validate and the flags.

// Regions maps the region presets to their API base URLs (cloud-elements-api.md §1).
var Regions = map[string]string{
	"us":      "https://api.cloud-elements.com/elements/api-v2",
	"eu":      "https://api.cloud-elements.co.uk/elements/api-v2",
	"staging": "https://staging.cloud-elements.com/elements/api-v2",
	"sap-us":  "https://api.openconnectors.us2.ext.hana.ondemand.com/elements/api-v2",
	"sap-eu":  "https://api.openconnectors.eu10.ext.hana.ondemand.com/elements/api-v2",
}

// RegionNames lists the presets in the order they are offered.
var RegionNames = []string{"us", "eu", "staging", "sap-us", "sap-eu"}

// APIPath is the prefix of every Cloud Elements path.
const APIPath = "/elements/api-v2"

// RegionBaseURL returns the base URL of a region preset.
func RegionBaseURL(region string) (string, error) {
	if u, ok := Regions[strings.ToLower(strings.TrimSpace(region))]; ok {
		return u, nil
	}
	return "", fmt.Errorf("unknown region %q; choose one of %s, or give --base-url", region, strings.Join(RegionNames, ", "))
}

// RegionOf returns the preset whose base URL is u, or "".
func RegionOf(u string) string {
	for _, r := range RegionNames {
		if Regions[r] == u {
			return r
		}
	}
	return ""
}

// NormalizeBaseURL accepts a bare host (api.cloud-elements.com), a host with
// a scheme, or a full base URL, and returns the base URL ending in
// /elements/api-v2 without a trailing slash. http is accepted only for
// loopback hosts (the sandbox).
func NormalizeBaseURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("the base URL is empty; give one such as " + Regions["us"])
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not a base URL; give one such as %s", raw, Regions["us"])
	}
	if err := checkHostPort("base URL", u); err != nil {
		return "", err
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return "", fmt.Errorf("the base URL must use https (http is accepted only on this machine, e.g. the sandbox): %s", raw)
		}
	default:
		return "", fmt.Errorf("the base URL must start with https://, not %s://", u.Scheme)
	}
	path := strings.TrimRight(u.Path, "/")
	switch {
	case path == "" || path == "/elements":
		path = APIPath
	case strings.HasSuffix(path, APIPath):
	default:
		return "", fmt.Errorf("the base URL's path must end in %s (or be empty): %s", APIPath, raw)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host) + path, nil
}

// checkHostPort bounds the host name and the port of a URL the user gave
// (what names it): no resolver takes a longer name, and no socket another port.
func checkHostPort(what string, u *url.URL) error {
	if err := oauthlistener.CheckHostName(what, u.Hostname()); err != nil {
		return err
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("the %s's port %s is not a port number (1-65535)", what, p)
		}
	}
	return nil
}

// IsLoopbackHost reports whether h (a host name without its port) names
// this machine: "localhost" or a loopback IP literal. Validation, the events
// receiver's warning and the authorization URL's http check share this one rule.
func IsLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// DomainSuffix is the DocuShare Flex site suffix.
const DomainSuffix = ".docushareflex.com"

var dnsLabel = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`) })

// NormalizeDomain accepts "acme", "acme.docushareflex.com" or a site address
// such as "https://acme.docushareflex.com/dsweb/..." and returns the bare host
// acme.docushareflex.com. Anything else is rejected with the expected form.
func NormalizeDomain(raw string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(raw))
	if s == "" {
		return "", errors.New("the DocuShare Flex domain is empty; give your site, e.g. acme.docushareflex.com")
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "", domainError(raw)
		}
		if u.User != nil || u.Port() != "" {
			return "", domainError(raw)
		}
		s = u.Hostname()
	} else if i := strings.IndexAny(s, "/?#"); i >= 0 {
		// acme.docushareflex.com/dsweb: a site address without its scheme.
		s = s[:i]
	}
	s = strings.TrimSuffix(s, ".")
	label := strings.TrimSuffix(s, DomainSuffix)
	if !dnsLabel().MatchString(label) {
		return "", domainError(raw)
	}
	return label + DomainSuffix, nil
}

func domainError(raw string) error {
	return fmt.Errorf("%q is not a DocuShare Flex domain; expected <company>.docushareflex.com, e.g. acme.docushareflex.com", raw)
}

// ValidateDomain is NormalizeDomain for a form field.
func ValidateDomain(raw string) error {
	_, err := NormalizeDomain(raw)
	return err
}

// ErrLoopbackHTTP is the warning CheckNotificationURL returns for an http
// URL on this machine: allowed, but Cloud Elements cannot reach it.
var ErrLoopbackHTTP = errors.New("http on this machine is accepted for testing only: Cloud Elements cannot deliver events to it")

// ErrPlainHTTP is the warning CheckNotificationURL returns for an http URL
// elsewhere: Cloud Elements has no https-only rule (its own examples use
// http://), but the events would travel unencrypted.
var ErrPlainHTTP = errors.New("the notification URL uses plain http: events (and their signature) travel unencrypted; prefer https")

// CheckNotificationURL validates event.notification.callback.url: an
// absolute http(s) URL. https passes; http passes too, with a warning
// (ErrLoopbackHTTP on this machine, ErrPlainHTTP elsewhere) and a nil error.
func CheckNotificationURL(raw string) (warning, err error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, errors.New("the notification URL is empty; give the address where Cloud Elements should send events, e.g. https://example.com/events")
	}
	u, perr := url.Parse(s)
	if perr != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute URL; give one such as https://example.com/events", raw)
	}
	if u.User != nil {
		return nil, errors.New("the notification URL must not contain a user name or password")
	}
	if err := checkHostPort("notification URL", u); err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "https":
		return nil, nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return ErrLoopbackHTTP, nil
		}
		return ErrPlainHTTP, nil
	default:
		return nil, fmt.Errorf("the notification URL must start with https:// (or http://), not %s://", u.Scheme)
	}
}

// ValidateNotificationURL is CheckNotificationURL for a form field (warnings pass).
func ValidateNotificationURL(raw string) error {
	_, err := CheckNotificationURL(raw)
	return err
}

// NotificationURLWarning is the sentence to show about a notification URL
// that passes validation but deserves a warning (plain http), or "".
func NotificationURLWarning(raw string) string {
	if w, err := CheckNotificationURL(raw); err == nil && w != nil {
		return w.Error()
	}
	return ""
}

// Refresh interval bounds, in minutes.
const (
	MinRefreshInterval = 1
	MaxRefreshInterval = 1440
)

// ParseRefreshInterval reads a whole number of minutes between 1 and 1440.
func ParseRefreshInterval(raw string) (int, error) {
	s := strings.TrimSpace(raw)
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("the refresh interval must be a whole number of minutes (%d-%d), not %q", MinRefreshInterval, MaxRefreshInterval, raw)
	}
	if err := CheckRefreshInterval(n); err != nil {
		return 0, err
	}
	return n, nil
}

// CheckRefreshInterval checks the range.
func CheckRefreshInterval(n int) error {
	if n < MinRefreshInterval || n > MaxRefreshInterval {
		return fmt.Errorf("the refresh interval must be between %d and %d minutes (a day), not %d", MinRefreshInterval, MaxRefreshInterval, n)
	}
	return nil
}

// ValidateRefreshInterval is ParseRefreshInterval for a form field.
func ValidateRefreshInterval(raw string) error {
	_, err := ParseRefreshInterval(raw)
	return err
}

// MaxNameLength bounds instance names.
const MaxNameLength = 200

// ValidateName checks an instance name.
func ValidateName(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return errors.New("the instance name is empty; give one you will recognise, e.g. docushareflex-acme")
	case strings.TrimSpace(s) != s:
		return errors.New("the instance name has spaces at its start or end; remove them")
	case len(s) > MaxNameLength:
		return fmt.Errorf("the instance name is %d bytes long; keep it under %d", len(s), MaxNameLength)
	case hasHidden(s):
		return errors.New("the instance name contains " + hiddenWhy)
	}
	return nil
}

// MaxTagLength bounds one tag.
const MaxTagLength = 100

// ValidateTag checks one tag.
func ValidateTag(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return errors.New("a tag is empty; remove it or give some text")
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("the tag %q has spaces at its start or end; remove them", s)
	case strings.Contains(s, ","):
		return fmt.Errorf("the tag %q contains a comma; tags are separated by commas, give them one by one", s)
	case len(s) > MaxTagLength:
		return fmt.Errorf("a tag is %d bytes long; keep it under %d", len(s), MaxTagLength)
	case hasHidden(s):
		return errors.New("a tag contains " + hiddenWhy)
	}
	return nil
}

// ParseTags splits a comma-separated list (as typed in a form), trims each
// tag, drops empty ones and duplicates, and validates the rest.
func ParseTags(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.Split(s, ",") {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		if err := ValidateTag(t); err != nil {
			return nil, err
		}
		seen[t] = true
		out = append(out, t)
	}
	return out, nil
}

// ValidateTags is ParseTags for a form field.
func ValidateTags(s string) error {
	_, err := ParseTags(s)
	return err
}

// ValidateAPIKey checks the DocuShare Flex Application ID.
func ValidateAPIKey(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return errors.New("the Application ID is empty; copy it from DocuShare Flex, Administration → Application Settings → OAuth Application")
	case strings.ContainsFunc(s, unicode.IsSpace):
		return errors.New("the Application ID contains spaces; copy it again without surrounding text")
	case hasHidden(s):
		return errors.New("the Application ID contains " + hiddenWhy)
	}
	return nil
}

// ValidateSecretText checks a typed secret (what) without ever echoing it.
func ValidateSecretText(what string) func(string) error { return validateSecret(what, false) }

// ValidatePlatformSecret is ValidateSecretText for the Cloud Elements User
// and Organization secrets, which also refuses a comma: the Authorization
// header "User <secret>, Organization <secret>" separates them with one.
func ValidatePlatformSecret(what string) func(string) error { return validateSecret(what, true) }

// validateSecret is the form validator of a secret (what); platform adds
// the comma rule (secretProblem).
func validateSecret(what string, platform bool) func(string) error {
	return func(s string) error {
		if s == "" {
			return fmt.Errorf("the %s is empty; paste it here (it stays hidden)", what)
		}
		if p := secretProblem(s, platform); p != "" {
			return fmt.Errorf("the %s %s", what, p)
		}
		return nil
	}
}

// secretProblem says what is wrong with a secret's text, in words that fit
// a prompt, a variable and a file alike ("" when nothing). platform adds
// the comma rule of the User and Organization secrets. It never quotes s.
func secretProblem(s string, platform bool) string {
	switch {
	case strings.ContainsFunc(s, unicode.IsSpace):
		return "contains spaces or line breaks; give it again without them"
	case hasHidden(s):
		return "contains control characters; give it again without them"
	case platform && strings.Contains(s, ","):
		return "contains a comma; give the secret itself, not the Authorization header (User …, Organization …) it goes in"
	}
	return ""
}

// envSecrets are the secret variables, as SecretsFromEnv reads them.
var envSecrets = []struct {
	env, what string
	platform  bool
}{
	{EnvUserSecret, "Cloud Elements User secret", true},
	{EnvOrgSecret, "Cloud Elements Organization secret", true},
	{EnvAPISecret, "DocuShare Flex Application Secret", false},
	{EnvSignatureKey, "notification signature key", false},
}

// CheckEnvSecrets checks the secrets in CEWIZ_USER_SECRET, CEWIZ_ORG_SECRET,
// CEWIZ_API_SECRET and CEWIZ_SIGNATURE_KEY (as SecretsFromEnv reads them)
// with the prompts' rules. A bad one is a *UsageError naming the variable,
// never its value: sent as it is, it would fail later as a misleading
// network or 401 error (or, for the signature key, sign nothing a receiver
// can check).
func CheckEnvSecrets(lookup func(string) (string, bool)) error {
	return checkEnvSecrets(lookup, "")
}

// CheckSignatureKeyEnv is CheckEnvSecrets for CEWIZ_SIGNATURE_KEY alone,
// for a command that reads no other secret (events receive).
func CheckSignatureKeyEnv(lookup func(string) (string, bool)) error {
	return checkEnvSecrets(lookup, EnvSignatureKey)
}

func checkEnvSecrets(lookup func(string) (string, bool), only string) error {
	for _, v := range envSecrets {
		if only != "" && v.env != only {
			continue
		}
		raw, ok := lookup(v.env)
		if !ok || strings.TrimSpace(raw) == "" {
			continue
		}
		if p := secretProblem(strings.TrimSpace(raw), v.platform); p != "" {
			return &UsageError{Err: fmt.Errorf("%s: the %s %s (its value is not shown here)", v.env, v.what, p)}
		}
	}
	return nil
}

// ValidateCallbackURL checks the OAuth redirect URI (the same rules as the
// listener: oauthlistener.ParseRedirectURI).
func ValidateCallbackURL(s string) error {
	_, err := oauthlistener.ParseRedirectURI(s)
	return err
}

// resourceName: a letter, then letters, digits and . _ - / { } (Cloud
// Elements' docs name resources such as calendars/{calendarId}/changed-events).
// '=' is excluded: --poll NAME=URL splits on it.
var resourceName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_./{}-]{0,127}$`) })

// ValidateResourceName checks a poller configuration key such as "events".
func ValidateResourceName(s string) error {
	if !resourceName().MatchString(s) {
		if s == "" {
			return errors.New("the resource name is empty; give the name of the resource to poll, e.g. events")
		}
		return fmt.Errorf("%q is not a resource name; use letters, digits, '.', '_', '-' or '/', starting with a letter, e.g. events", s)
	}
	return nil
}

var fieldPath = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*(\.[A-Za-z_$][A-Za-z0-9_$-]*)*$`)
})

// ValidateFieldPath checks an idField or date field: a field name or a dot
// path such as customer.id.
func ValidateFieldPath(s string) error {
	if !fieldPath().MatchString(s) {
		if s == "" {
			return errors.New("the field is empty; give the record's field name, e.g. id or modifiedDate")
		}
		return fmt.Errorf("%q is not a field name; use a name or a dot path such as customer.id", s)
	}
	return nil
}

// ValidateResourceURL checks a poller url: a hub path starting with /,
// optionally with a query whose date templates are well formed
// (${gmtDate:PATTERN}, ${date:PATTERN}, ${dateTimeZone:ZONE:PATTERN},
// ${epoch}, ${epoch:s}, ${epoch:us}).
func ValidateResourceURL(s string) error {
	switch {
	case s == "":
		return errors.New("the resource URL is empty; give its hub path, e.g. /hubs/documents/events")
	case !strings.HasPrefix(s, "/"):
		return fmt.Errorf("the resource URL must be a hub path starting with /, e.g. /hubs/documents/events, not %q", s)
	case hasHidden(s):
		return errors.New("the resource URL contains a control character")
	}
	rest := s
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			return nil
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return fmt.Errorf("the date template %q in the resource URL is not closed with }", rest[i:])
		}
		if err := validateTemplate(rest[i+2 : i+j]); err != nil {
			return err
		}
		rest = rest[i+j+1:]
	}
}

func validateTemplate(t string) error {
	kind, arg, _ := strings.Cut(t, ":")
	switch kind {
	case "epoch":
		if arg == "" || arg == "s" || arg == "us" {
			return nil
		}
		return fmt.Errorf("${%s} is not a known template; use ${epoch}, ${epoch:s} or ${epoch:us}", t)
	case "gmtDate", "date":
		if err := ValidateDatePattern(arg); err != nil {
			return fmt.Errorf("${%s}: %w", t, err)
		}
		return nil
	case "dateTimeZone":
		zone, pattern, ok := strings.Cut(arg, ":")
		if !ok || zone == "" {
			return fmt.Errorf("${%s} needs a zone and a pattern, e.g. ${dateTimeZone:GMT:yyyy-MM-dd}", t)
		}
		if err := ValidateDatePattern(pattern); err != nil {
			return fmt.Errorf("${%s}: %w", t, err)
		}
		return nil
	}
	return fmt.Errorf("${%s} is not a known template; use ${gmtDate:PATTERN}, ${date:PATTERN}, ${dateTimeZone:ZONE:PATTERN} or ${epoch}", t)
}

// javaPatternLetters are the letters java.text.SimpleDateFormat interprets.
const javaPatternLetters = "GyYMLwWDdFEuaHkKhmsSzZX"

// ValidateDateFormat checks a date format: "milliseconds" or a Java
// SimpleDateFormat pattern.
func ValidateDateFormat(s string) error {
	if s == MillisecondsFormat {
		return nil
	}
	return ValidateDatePattern(s)
}

// ValidateDatePattern checks a Java SimpleDateFormat pattern the way Java
// would reject it: unquoted letters must be pattern letters, quotes must be
// closed, and at least one pattern letter must be present.
func ValidateDatePattern(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("the date format is empty; give a Java pattern such as yyyy-MM-dd'T'HH:mm:ss'Z', or milliseconds")
	}
	letters := 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' { // '' is a literal quote, in or out of quotes
				i++
				continue
			}
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		if c < 0x20 || c == 0x7f {
			return errors.New("the date format contains a control character")
		}
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
			if !strings.ContainsRune(javaPatternLetters, rune(c)) {
				return fmt.Errorf("the date format %q uses the letter %q, which Java does not know; put literal text in quotes, e.g. '%c'", s, string(c), c)
			}
			letters++
		}
	}
	if inQuote {
		return fmt.Errorf("the date format %q has an unclosed quote (')", s)
	}
	if letters == 0 {
		return fmt.Errorf("the date format %q has no date letters; use e.g. yyyy-MM-dd'T'HH:mm:ss'Z', or milliseconds", s)
	}
	return nil
}

// hiddenWhy completes "… contains" for a name, tag or Application ID with
// a hidden character.
const hiddenWhy = "a control character (a tab, a line break, or an invisible direction mark such as a right-to-left override), " +
	"which can make it display as something it is not; type it again as plain text"

// hasHidden reports whether s holds a character that does not show as
// itself: a control character (Unicode Cc), a line or paragraph separator,
// or a bidirectional control (LRM, RLM, ALM, the embeddings, overrides and
// isolates), which reorders how the text around it is displayed.
func hasHidden(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		switch {
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return true
		case r == '\u200e', r == '\u200f', r == '\u061c': // LRM, RLM, ALM
			return true
		case r >= '\u202a' && r <= '\u202e': // LRE, RLE, PDF, LRO, RLO
			return true
		case r >= '\u2066' && r <= '\u2069': // LRI, RLI, FSI, PDI
			return true
		}
		return false
	})
}
