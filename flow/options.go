package flow

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cewiz/cewiz/oauthlistener"
)

// UsageError is a mistake on the command line: the program prints it with
// a pointer to --help and exits 2. Flag names the flag to fix.
type UsageError struct {
	Flag string
	Err  error
}

func (e *UsageError) Error() string {
	if e.Flag == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("--%s: %v", e.Flag, e.Err)
}

func (e *UsageError) Unwrap() error { return e.Err }

func usageErr(flagName string, err error) error { return &UsageError{Flag: flagName, Err: err} }

// Options are the command-line answers shared by the commands (SPEC §2).
// Each flag can also come from CEWIZ_<NAME> (ApplyEnv); a flag wins.
type Options struct {
	BaseURL          string
	Region           string
	Sandbox          bool
	Name             string
	Tags             listFlag
	Domain           string
	APIKey           string
	CallbackURL      string
	Listen           string
	Events           bool
	NotifyURL        string
	RefreshInterval  int
	Poll             listFlag
	PollerConfigFile string
	From             string
	Code             string
	NoBrowser        bool
	Timeout          time.Duration
	JSON             bool
	IncludeSecrets   bool
	Accessible       bool

	// CodeInput is where --code - reads the grant code (stdin, which keeps
	// the code out of ps); nil: this command cannot read one there.
	CodeInput io.Reader

	fs         *flag.FlagSet
	fromEnv    map[string]bool // flags ApplyEnv set
	codeSource string          // where Resolve found the grant code
}

// Flag groups, so each command registers what it uses and its --help stays short.
type FlagGroup int

const (
	// FlagsConnection: --base-url, --region, --sandbox.
	FlagsConnection FlagGroup = 1 << iota
	// FlagsBody: every answer that goes into the body, --from and --code.
	FlagsBody
	// FlagsAuthorize: --listen, --no-browser, --timeout.
	FlagsAuthorize
	// FlagsJSON: --json.
	FlagsJSON
	// FlagsIncludeSecrets: --include-secrets (export only).
	FlagsIncludeSecrets
	// FlagsAccessible: --accessible (the wizard).
	FlagsAccessible
)

// Register adds the groups' flags to fs, with their defaults.
func (o *Options) Register(fs *flag.FlagSet, groups FlagGroup) {
	o.fs = fs
	if groups&FlagsConnection != 0 {
		fs.StringVar(&o.BaseURL, "base-url", "", "Cloud Elements API base `URL` (a bare host gets "+APIPath+")")
		fs.StringVar(&o.Region, "region", "", "`region` preset for the base URL: "+strings.Join(RegionNames, "|")+" (default us)")
		fs.BoolVar(&o.Sandbox, "sandbox", false, "use the built-in Cloud Elements emulator, demo secrets prefilled")
	}
	if groups&FlagsBody != 0 {
		fs.StringVar(&o.Name, "name", "", "instance `name` (default docushareflex-<site>)")
		fs.Var(&o.Tags, "tag", "instance `tag` (repeat for more)")
		fs.StringVar(&o.Domain, "domain", "", "DocuShare Flex `domain`, e.g. acme.docushareflex.com")
		fs.StringVar(&o.APIKey, "api-key", "", "DocuShare Flex Application `ID` (oauth.api.key)")
		fs.StringVar(&o.CallbackURL, "callback-url", "", "OAuth redirect `URL` registered in DocuShare Flex (default "+oauthlistener.DefaultRedirectURI+")")
		fs.BoolVar(&o.Events, "events", true, "enable event notifications (--events=false to turn off)")
		fs.StringVar(&o.NotifyURL, "notify-url", "", "`URL` where Cloud Elements sends events (https recommended: plain http is accepted with a warning)")
		o.RefreshInterval = DefaultRefreshInterval
		fs.Var((*decimalFlag)(&o.RefreshInterval), "refresh-interval", "polling interval in `minutes` (1-1440)")
		fs.Var(&o.Poll, "poll", "resource to poll: NAME from the element's default configuration, or `NAME=URL` to copy the events configuration to a hub URL, e.g. folders="+FolderContentsExample+" (repeat; default: the element's own configuration)")
		fs.StringVar(&o.PollerConfigFile, "poller-config", "", "JSON `file` with a whole event.poller.configuration object")
		fs.StringVar(&o.From, "from", "", "start from a body JSON `file` written by export (flags override it)")
		fs.StringVar(&o.Code, "code", "", "use this OAuth grant `code` instead of authorizing; --code - reads it from stdin, out of ps (or set "+EnvCode+")")
	}
	if groups&FlagsAuthorize != 0 {
		fs.StringVar(&o.Listen, "listen", "", "loopback listener `address` for the OAuth callback (default "+oauthlistener.DefaultAddr+")")
		fs.BoolVar(&o.NoBrowser, "no-browser", false, "print the authorization URL instead of opening a browser")
		fs.DurationVar(&o.Timeout, "timeout", 5*time.Minute, "how long to wait for the browser to come back (a `duration` such as 5m or 90s)")
	}
	if groups&FlagsJSON != 0 {
		fs.BoolVar(&o.JSON, "json", false, "machine-readable result on stdout")
	}
	if groups&FlagsIncludeSecrets != 0 {
		fs.BoolVar(&o.IncludeSecrets, "include-secrets", false, "write the real Application Secret and code instead of placeholders")
	}
	if groups&FlagsAccessible != 0 {
		fs.BoolVar(&o.Accessible, "accessible", false, "line-by-line prompts for screen readers (also ACCESSIBLE=1)")
	}
}

// EnvName is the environment variable of a flag: --refresh-interval ↔ CEWIZ_REFRESH_INTERVAL.
func EnvName(flagName string) string {
	return "CEWIZ_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// ApplyEnv fills every flag that was not given on the command line from its
// CEWIZ_<NAME> variable (repeatable flags take a comma-separated list). Call
// it after fs.Parse. The secret variables are checked too
// (CheckEnvSecrets). ACCESSIBLE is not read here: main decides it once,
// with the streams, and the wizard is accessible when either says so.
func (o *Options) ApplyEnv(lookup func(string) (string, bool)) error {
	given := map[string]bool{}
	o.fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	o.fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		v, ok := lookup(EnvName(f.Name))
		if !ok || v == "" {
			return
		}
		values := []string{v}
		if _, repeatable := f.Value.(*listFlag); repeatable {
			values = strings.Split(v, ",")
		}
		for _, one := range values {
			if serr := f.Value.Set(strings.TrimSpace(one)); serr != nil {
				err = usageErr(f.Name, fmt.Errorf("from %s: %v", EnvName(f.Name), serr))
				return
			}
		}
		if o.fromEnv == nil {
			o.fromEnv = map[string]bool{}
		}
		o.fromEnv[f.Name] = true
	})
	if err != nil {
		return err
	}
	if err := CheckEnvSecrets(lookup); err != nil {
		return err
	}
	return nil
}

// AccessibleRequested reads the ACCESSIBLE variable: any value but empty,
// 0 or false asks for line-by-line output for screen readers.
func AccessibleRequested(v string) bool {
	return v != "" && v != "0" && v != "false"
}

// Given reports whether a flag was set on the command line or by ApplyEnv.
func (o *Options) Given(name string) bool {
	given := o.fromEnv[name]
	o.fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// Resolve turns the options, the body file of --from and the secrets from
// the environment into answers. Every bad value is a *UsageError naming its
// flag. readFile reads --from and --poller-config: ReadInputFile outside
// tests (the default when nil), which refuses FIFOs, devices and large files.
func (o *Options) Resolve(lookup func(string) (string, bool), readFile func(string) ([]byte, error)) (Answers, Secrets, error) {
	if readFile == nil {
		readFile = ReadInputFile
	}
	a := NewAnswers()
	var s Secrets

	if o.Given("from") {
		data, err := readFile(o.From)
		if err != nil {
			return a, s, usageErr("from", fmt.Errorf("cannot read the body file: %w", err))
		}
		fa, fs, err := ParseBody(data)
		if err != nil {
			return a, s, usageErr("from", fmt.Errorf("%s: %w", o.From, err))
		}
		a, s = fa, fs
	}
	if err := o.ApplyConnection(&a); err != nil {
		return a, s, err
	}
	if o.Given("name") {
		if err := ValidateName(o.Name); err != nil {
			return a, s, usageErr("name", err)
		}
		a.Name = o.Name
	}
	if o.Given("tag") {
		a.Tags = nil
		for _, t := range o.Tags {
			if err := ValidateTag(t); err != nil {
				return a, s, usageErr("tag", err)
			}
			a.Tags = append(a.Tags, t)
		}
	}
	if o.Given("domain") {
		d, err := NormalizeDomain(o.Domain)
		if err != nil {
			return a, s, usageErr("domain", err)
		}
		a.Domain = d
	}
	if o.Given("api-key") {
		if err := ValidateAPIKey(o.APIKey); err != nil {
			return a, s, usageErr("api-key", err)
		}
		a.APIKey = o.APIKey
	}
	if o.Given("callback-url") {
		if err := ValidateCallbackURL(o.CallbackURL); err != nil {
			return a, s, usageErr("callback-url", err)
		}
		a.CallbackURL = o.CallbackURL
	}
	if o.Given("events") {
		a.EventsEnabled = o.Events
	}
	if o.Given("notify-url") {
		if err := ValidateNotificationURL(o.NotifyURL); err != nil {
			return a, s, usageErr("notify-url", err)
		}
		a.NotificationURL = o.NotifyURL
	}
	if o.Given("refresh-interval") {
		if err := CheckRefreshInterval(o.RefreshInterval); err != nil {
			return a, s, usageErr("refresh-interval", err)
		}
		a.RefreshInterval = o.RefreshInterval
	}
	if o.Given("poll") && o.Given("poller-config") {
		return a, s, usageErr("poll", errors.New("give --poll or --poller-config, not both"))
	}
	if o.Given("poll") {
		// Checked here; turned into a.Polling by ResolvePoll, which needs to
		// know whether the element's default could be read.
		for _, v := range o.Poll {
			if _, err := ParsePollSpec(v); err != nil {
				return a, s, usageErr("poll", err)
			}
		}
	}
	if o.Given("poller-config") {
		data, err := readFile(o.PollerConfigFile)
		if err != nil {
			return a, s, usageErr("poller-config", fmt.Errorf("cannot read the file: %w", err))
		}
		p, err := ParsePollerConfig(data)
		if err != nil {
			return a, s, usageErr("poller-config", fmt.Errorf("%s: %w", o.PollerConfigFile, err))
		}
		a.Polling = p
	}
	if !a.Code.IsZero() {
		o.codeSource = "the body file of --from"
	}
	if o.Given("code") {
		code := o.Code
		o.codeSource = "--code"
		if o.fromEnv["code"] {
			o.codeSource = "$" + EnvCode
		}
		if code == "-" {
			if o.CodeInput == nil {
				return a, s, usageErr("code", errors.New("this command does not read the code from stdin; give it with "+EnvCode))
			}
			c, err := ReadCode(o.CodeInput)
			if err != nil {
				return a, s, usageErr("code", err)
			}
			code, o.codeSource = c, "stdin (--code -)"
		}
		if strings.TrimSpace(code) == "" || strings.ContainsFunc(code, unicode.IsSpace) {
			return a, s, usageErr("code", errors.New("the code is empty or contains spaces; copy the whole code parameter of the redirected address"))
		}
		a.Code = NewSecret(code)
	}
	s = SecretsFromEnv(lookup).Or(s)
	if !s.SignatureKey.IsZero() {
		// A key given is a key used: notifications are signed with it.
		a.SignNotifications = true
	}
	return a, s, nil
}

// CodeSource says where Resolve found the grant code, for messages such as
// "using the grant code from $CEWIZ_CODE": "--code", "$CEWIZ_CODE",
// "stdin (--code -)", "the body file of --from", or "" when none was given.
func (o *Options) CodeSource() string { return o.codeSource }

// maxCodeInput bounds what --code - reads: a grant code is a few dozen
// bytes, a pasted line a few hundred.
const maxCodeInput = 8 << 10

// ReadCode reads a grant code for --code -: the first line of r, without
// its spaces. Nothing at all, or more than 8 KiB, is an error.
func ReadCode(r io.Reader) (string, error) {
	br := bufio.NewReader(io.LimitReader(r, maxCodeInput+1))
	read := 0
	for {
		line, err := br.ReadString('\n')
		read += len(line)
		if read > maxCodeInput {
			return "", errors.New("stdin holds more than 8 KiB before the code: give only the grant code")
		}
		if line = strings.TrimSpace(line); line != "" {
			return line, nil
		}
		if err == io.EOF {
			return "", errors.New("stdin held no code: pipe the grant code into --code -, e.g. --code - < code.txt")
		}
		if err != nil {
			return "", fmt.Errorf("cannot read the code from stdin: %w", err)
		}
	}
}

// ApplyConnection sets a's base URL from --base-url or --region (a flag
// given neither leaves a alone). --sandbox excludes both: it points cewiz
// at the built-in emulator.
func (o *Options) ApplyConnection(a *Answers) error {
	if o.Sandbox && (o.Given("base-url") || o.Given("region")) {
		return usageErr("sandbox", errors.New("--sandbox points cewiz at the built-in emulator; leave out --base-url and --region"))
	}
	if o.Given("base-url") && o.Given("region") {
		return usageErr("base-url", errors.New("give --base-url or --region, not both"))
	}
	switch {
	case o.Given("base-url"):
		u, err := NormalizeBaseURL(o.BaseURL)
		if err != nil {
			return usageErr("base-url", err)
		}
		a.BaseURL, a.Region = u, RegionOf(u)
	case o.Given("region"):
		u, err := RegionBaseURL(o.Region)
		if err != nil {
			return usageErr("region", err)
		}
		a.BaseURL, a.Region = u, strings.ToLower(strings.TrimSpace(o.Region))
	}
	return nil
}

// SecretsFromEnv reads the secrets from CEWIZ_USER_SECRET, CEWIZ_ORG_SECRET,
// CEWIZ_API_SECRET and CEWIZ_SIGNATURE_KEY: secrets are never flags, since a
// flag shows in ps.
func SecretsFromEnv(lookup func(string) (string, bool)) Secrets {
	var s Secrets
	for env, dst := range map[string]*Secret{EnvUserSecret: &s.UserSecret, EnvOrgSecret: &s.OrgSecret, EnvAPISecret: &s.APISecret, EnvSignatureKey: &s.SignatureKey} {
		if v, ok := lookup(env); ok && strings.TrimSpace(v) != "" {
			*dst = NewSecret(strings.TrimSpace(v))
		}
	}
	return s
}

// Or returns s with each secret it lacks taken from other.
func (s Secrets) Or(other Secrets) Secrets {
	pick := func(a, b Secret) Secret {
		if a.IsZero() {
			return b
		}
		return a
	}
	return Secrets{UserSecret: pick(s.UserSecret, other.UserSecret), OrgSecret: pick(s.OrgSecret, other.OrgSecret),
		APISecret: pick(s.APISecret, other.APISecret), SignatureKey: pick(s.SignatureKey, other.SignatureKey)}
}

// PollSpec is one --poll value: a bare resource NAME, or NAME=URL.
type PollSpec struct {
	Name string
	// URL is what the user gave after '=' ("" for a bare name).
	URL string
}

// ParsePollSpec reads NAME or NAME=URL (the URL is a hub path, e.g.
// folders=/hubs/documents/folders/contents?path=/Shared).
func ParsePollSpec(v string) (PollSpec, error) {
	name, url, hasURL := strings.Cut(strings.TrimSpace(v), "=")
	sp := PollSpec{Name: strings.TrimSpace(name), URL: strings.TrimSpace(url)}
	if err := ValidateResourceName(sp.Name); err != nil {
		return sp, err
	}
	if hasURL {
		if err := ValidateResourceURL(sp.URL); err != nil {
			return sp, fmt.Errorf("%s=…: %w", sp.Name, err)
		}
	}
	return sp, nil
}

// PollBase is what bare --poll names are looked up in.
type PollBase struct {
	// Default is the element's default poller configuration (nil when it
	// was not read).
	Default PollerConfig
	// Err is why the element's default could not be read, when it was tried.
	Err error
	// Offline, when the default was not tried, says why (e.g. "export never
	// contacts Cloud Elements"); it is part of the messages.
	Offline string
}

// ResolvePoll turns the --poll values into a.Polling, starting from
// base.Default when there is one, else from cewiz's offline guess (events
// only). A bare NAME must be a resource of that configuration; NAME=URL
// copies the events configuration to NAME polled at URL. cewiz never makes
// a URL up. notes are lines for stderr (the default could not be read, the
// events guess is used); an unknown bare name is a *UsageError (exit 2)
// naming the NAME=URL form. Without --poll it does nothing.
func (o *Options) ResolvePoll(a *Answers, base PollBase) (notes []string, err error) {
	if o.fs == nil || !o.Given("poll") {
		return nil, nil
	}
	from := base.Default
	online := len(from) > 0
	if !online {
		from = PollingPresets()
		if base.Err != nil {
			notes = append(notes, fmt.Sprintf("the element's default poller configuration could not be read (%v); --poll starts from cewiz's offline guess for events instead", base.Err))
		}
	}
	var p PollerConfig
	for _, v := range o.Poll {
		sp, err := ParsePollSpec(v)
		if err != nil {
			return notes, usageErr("poll", err)
		}
		if _, dup := p.Get(sp.Name); dup {
			continue
		}
		if sp.URL == "" {
			r, ok := from.Get(sp.Name)
			if !ok {
				return notes, usageErr("poll", unknownPollName(sp.Name, from, online, base))
			}
			p = p.With(r)
			continue
		}
		src := from
		if _, ok := src.Get("events"); !ok {
			// The element's default has no events to copy: fall back to the
			// guess, and say so.
			src = PollingPresets()
			notes = append(notes, "the element's default poller configuration has no events resource to copy; "+sp.Name+" copies cewiz's offline guess for events instead")
		}
		c, err := src.CopyTo("events", sp.Name, sp.URL)
		if err != nil {
			return notes, usageErr("poll", err)
		}
		r, _ := c.Get(sp.Name)
		p = p.With(r)
	}
	if p.HasGuess() {
		notes = append(notes, EventsGuessNote+".")
	}
	a.Polling = p
	return notes, nil
}

func unknownPollName(name string, from PollerConfig, online bool, base PollBase) error {
	example := fmt.Sprintf("--poll %s=%s", name, FolderContentsExample)
	if online {
		return fmt.Errorf("the element's default poller configuration defines no %q resource (it defines %s), and cewiz does not make up poll URLs: give its URL as NAME=URL, e.g. %s",
			name, strings.Join(from.Names(), ", "), example)
	}
	why := "without the element's default poller configuration"
	switch {
	case base.Offline != "":
		why = base.Offline + ", so"
	case base.Err != nil:
		why = "the element's default could not be read, so"
	}
	return fmt.Errorf("%s cewiz knows only the events resource (a guess), and it does not make up poll URLs: give %q's URL as NAME=URL, e.g. %s",
		why, name, example)
}

// decimalFlag is an int flag read in base 10 only: flag.IntVar reads "015"
// as octal 13 and "0x10" as 16, which nobody means by a number of minutes.
type decimalFlag int

func (d *decimalFlag) String() string { return strconv.Itoa(int(*d)) }

func (d *decimalFlag) Set(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("%q is not a whole number", v)
	}
	*d = decimalFlag(n)
	return nil
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	if v == "" {
		return errors.New("empty value")
	}
	*l = append(*l, v)
	return nil
}
