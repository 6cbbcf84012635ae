package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Demo credentials. They are printed by `cewiz sandbox` and prefilled by
// `cewiz --sandbox`; they open nothing but the sandbox.
const (
	DemoUserSecret = "sandbox-user-secret-0000"
	DemoOrgSecret  = "sandbox-org-secret-0000"
	// DemoAppID and DemoAppSecret are the DocuShare Flex Application ID and
	// Secret the consent page and the code exchange accept.
	DemoAppID     = "sandbox-app-id"
	DemoAppSecret = "sandbox-app-secret-0000"
)

// Fixed facts of the emulated element.
const (
	APIPath    = "/elements/api-v2"
	ElementKey = "docushareflex"
	ElementID  = 5127
	// ConsentPath is the DocuShare Flex consent page (outside APIPath).
	ConsentPath = "/docushareflex/oauth/authorize"
	// DefaultCodeTTL is how long a grant code can be exchanged.
	DefaultCodeTTL = 10 * time.Minute
	// DefaultPageSize is GET /instances' page size when none is asked for,
	// and its maximum (the documented default and maximum of GET /elements).
	DefaultPageSize = 200
	// NextPageHeader carries the token of the next page of a list.
	NextPageHeader = "Elements-Next-Page-Token"
	// MsgProviderFailure is Cloud Elements' message for a failure of the
	// provider, answered with 502.
	MsgProviderFailure = "Endpoint provider was not able to perform a CRUD request"
)

// Routes, as used by InjectFault and Count: the method and the path below
// APIPath, with {key} and {id} standing for any element key or instance id.
const (
	RouteElement              = "GET /elements/{key}"
	RouteElementConfiguration = "GET /elements/{key}/configuration"
	RouteElementMetadata      = "GET /elements/{id}/metadata"
	RouteOAuthURL             = "GET /elements/{key}/oauth/url"
	RouteOAuthURLPost         = "POST /elements/{key}/oauth/url"
	RouteCreateInstance       = "POST /instances"
	RouteListInstances        = "GET /instances"
	RouteGetInstance          = "GET /instances/{id}"
	RouteDeleteInstance       = "DELETE /instances/{id}"
	RouteInstanceEvents       = "GET /instances/{id}/events"
	// The consent page routes are not under APIPath.
	RouteConsent       = "GET " + ConsentPath
	RouteConsentSubmit = "POST " + ConsentPath
	// RouteAny matches every route in InjectFault.
	RouteAny = "*"
)

// Routes lists every route, for validation and for the admin endpoint.
var Routes = []string{
	RouteElement, RouteElementConfiguration, RouteElementMetadata, RouteOAuthURL, RouteOAuthURLPost,
	RouteCreateInstance, RouteListInstances, RouteGetInstance, RouteDeleteInstance, RouteInstanceEvents,
	RouteConsent, RouteConsentSubmit,
}

// Options configure a Sandbox. The zero value uses the demo credentials.
type Options struct {
	// UserSecret and OrgSecret are the accepted platform secrets
	// (DemoUserSecret, DemoOrgSecret when empty).
	UserSecret, OrgSecret string
	// AppID and AppSecret are the DocuShare Flex application the consent
	// page and the code exchange accept (DemoAppID, DemoAppSecret when
	// empty). With AnyApp set, any Application ID and Secret are accepted.
	AppID, AppSecret string
	AnyApp           bool
	// CodeTTL is how long a grant code stays valid (DefaultCodeTTL when 0).
	CodeTTL time.Duration
	// Now is the clock (time.Now when nil); tests use it to expire codes.
	Now func() time.Time
	// Admin enables the /__sandbox/ admin endpoint (loopback clients only).
	Admin bool
	// Log, when set, receives one line per request: method, path (never the
	// query, which may hold the Application Secret), status and duration.
	Log io.Writer
	// MaxPageSize caps the pageSize of GET /instances (DefaultPageSize when
	// 0): tests set it low to spread a few instances over several pages.
	MaxPageSize int
	// PollEvery, when positive, rehearses the event chain: Server runs Tick
	// at this interval (the fake DocuShare Flex site changes a document,
	// every instance with events on finds it, its event log moves through
	// the statuses and its callback URL is notified), and a new instance
	// starts with an empty event log instead of a few seeded events. The
	// instances' own event.poller.refresh_interval (minutes) is not waited
	// for: a rehearsal shows the chain in seconds.
	PollEvery time.Duration
	// SiteAddressURL makes oauth/url read siteAddress as a URL
	// (https://acme.docushareflex.com) instead of a bare host: which form
	// Cloud Elements wants is not published, so the sandbox can play either.
	// Given the form it does not expect, it answers an oauthUrl built the way
	// a service expecting the other form would (see handleOAuthURL).
	SiteAddressURL bool
}

// Sandbox is the emulator as an http.Handler. Create it with New.
type Sandbox struct {
	opts Options
	mux  *http.ServeMux

	mu        sync.Mutex
	nextID    int64
	nextEvent int64
	instances map[int64]*instance // names need not be unique
	grants    map[string]*grant
	faults    []*faultRule
	counts    map[string]int
	logMu     sync.Mutex
	site      fakeSite // the fake DocuShare Flex site (Tick)
	tickMu    sync.Mutex
	notifier  *http.Client
}

// instance is the stored state of one element instance. config holds the
// values as strings, as Cloud Elements stores them, with the real
// Application Secret (masked on the wire).
type instance struct {
	id            int64
	name          string
	token         string
	created       time.Time
	updated       time.Time
	tags          []string
	valid         bool
	disabled      bool
	eventsEnabled bool
	config        map[string]string
	events        []Event
	// lastPoll is when the poller last looked for changes (Tick).
	lastPoll time.Time
}

// grant is an issued authorization code and what it is bound to.
type grant struct {
	callbackURL string
	site        string
	clientID    string
	issued      time.Time
	used        bool
}

// New returns a sandbox with no instances.
func New(opts Options) *Sandbox {
	if opts.UserSecret == "" {
		opts.UserSecret = DemoUserSecret
	}
	if opts.OrgSecret == "" {
		opts.OrgSecret = DemoOrgSecret
	}
	if opts.AppID == "" {
		opts.AppID = DemoAppID
	}
	if opts.AppSecret == "" {
		opts.AppSecret = DemoAppSecret
	}
	if opts.CodeTTL <= 0 {
		opts.CodeTTL = DefaultCodeTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = DefaultPageSize
	}
	s := &Sandbox{
		opts:      opts,
		nextID:    482901,
		nextEvent: 7300001,
		instances: map[int64]*instance{},
		grants:    map[string]*grant{},
		counts:    map[string]int{},
		notifier:  newNotifier(),
	}
	s.mux = http.NewServeMux()
	s.route(RouteElement, s.handleElement)
	s.route(RouteElementConfiguration, s.handleConfiguration)
	s.route(RouteElementMetadata, s.handleMetadata)
	s.route(RouteOAuthURL, s.handleOAuthURL)
	s.route(RouteOAuthURLPost, s.handleOAuthURL)
	s.route(RouteCreateInstance, s.handleCreate)
	s.route(RouteListInstances, s.handleList)
	s.route(RouteGetInstance, s.handleGet)
	s.route(RouteDeleteInstance, s.handleDelete)
	s.route(RouteInstanceEvents, s.handleEvents)
	s.route(RouteConsent, s.handleConsent)
	s.route(RouteConsentSubmit, s.handleConsent)
	s.mux.HandleFunc("/__sandbox/", s.handleAdmin)
	// Everything else, including a known path with the wrong method, gets
	// the real error shape rather than the mux's plain text.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, http.StatusNotFound, fmt.Sprintf("No resource found for %s %s", r.Method, r.URL.Path), "")
	})
	return s
}

// ServeHTTP serves the emulated API, the consent page and the admin endpoint.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.opts.Log == nil {
		s.mux.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	s.mux.ServeHTTP(sw, r)
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	if sw.hijacked {
		status = 0
	}
	// The path only: the query of oauth/url carries the Application Secret.
	s.logf("%s %s %d %s", r.Method, r.URL.Path, status, time.Since(start).Round(time.Microsecond))
}

// logf writes one line to Options.Log, stamped with the UTC time; the
// requests and the notifications share the log, so one line at a time.
func (s *Sandbox) logf(format string, args ...any) {
	if s.opts.Log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.opts.Log, "%s %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// statusWriter records the status for the log; Unwrap lets
// http.ResponseController reach the connection to drop it.
type statusWriter struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { w.hijacked = true; return w.ResponseWriter }

// route registers a handler under its route name, counting requests and
// applying injected faults before the handler sees the request.
func (s *Sandbox) route(name string, h http.HandlerFunc) {
	method, path, _ := strings.Cut(name, " ")
	full := path
	if !strings.HasPrefix(path, ConsentPath) {
		full = APIPath + path
	}
	s.mux.HandleFunc(method+" "+full, func(w http.ResponseWriter, r *http.Request) {
		f := s.hit(name)
		if f != nil {
			s.applyFault(w, r, *f, h)
			return
		}
		h(w, r)
	})
}

// apiError is Cloud Elements' error body.
type apiError struct {
	RequestID       string `json:"requestId"`
	Message         string `json:"message"`
	ProviderMessage string `json:"providerMessage,omitempty"`
}

func (s *Sandbox) fail(w http.ResponseWriter, status int, message, providerMessage string) {
	writeJSON(w, status, apiError{RequestID: randomHex(12), Message: message, ProviderMessage: providerMessage})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

const msgUnauthorized = "Invalid Organization or User secret, or invalid Element token provided."

// authorize checks "Authorization: User X, Organization Y[, Element Z]".
// It returns the Element token when one was given. On failure it has
// written the 401.
func (s *Sandbox) authorize(w http.ResponseWriter, r *http.Request) (elementToken string, ok bool) {
	h := r.Header.Get("Authorization")
	var user, org, elem string
	var seenUser, seenOrg, seenElem bool
	good := h != ""
	for _, part := range strings.Split(h, ",") {
		kind, val, found := strings.Cut(strings.TrimSpace(part), " ")
		val = strings.TrimSpace(val)
		if !found || val == "" {
			good = false
			break
		}
		switch kind {
		case "User":
			good = good && !seenUser
			user, seenUser = val, true
		case "Organization":
			good = good && !seenOrg
			org, seenOrg = val, true
		case "Element":
			good = good && !seenElem
			elem, seenElem = val, true
		default:
			good = false
		}
	}
	if !good || !seenUser || !seenOrg || !equal(user, s.opts.UserSecret) || !equal(org, s.opts.OrgSecret) {
		s.fail(w, http.StatusUnauthorized, msgUnauthorized, "")
		return "", false
	}
	return elem, true
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// elementKnown accepts the element's key or id; otherwise it writes 404.
func (s *Sandbox) elementKnown(w http.ResponseWriter, key string) bool {
	if key == ElementKey || key == fmt.Sprint(ElementID) {
		return true
	}
	s.fail(w, http.StatusNotFound, fmt.Sprintf("No element found with key or id '%s'", key), "")
	return false
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

// newToken looks like a Cloud Elements instance token: 44 base64 characters.
func newToken() string { return base64.StdEncoding.EncodeToString(randomBytes(32)) }
