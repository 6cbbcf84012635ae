package flow

import (
	"fmt"
	"time"

	"github.com/cewiz/cewiz/oauthlistener"
)

// Step is one screen of the wizard (SPEC §3). The order and the rules that
// skip steps live here; the TUI only renders them.
type Step int

// The wizard's steps, in order. Create, Result and Error are the end of the
// journey: Create is the request in flight, then Result or Error.
const (
	StepConnect Step = iota
	StepApp
	StepSite
	StepAuthorize
	StepEvents
	StepResources
	StepInstance
	StepReview
	StepCreate
	StepResult
	StepError
)

// AllSteps lists every step in order, including the end screens.
var AllSteps = []Step{StepConnect, StepApp, StepSite, StepAuthorize, StepEvents, StepResources, StepInstance, StepReview, StepCreate, StepResult, StepError}

var stepInfo = map[Step]struct{ name, title, explain string }{
	StepConnect:   {"connect", "Connect to Cloud Elements", "Your Cloud Elements region and the User and Organization secrets from your profile; they are checked now and never saved."},
	StepApp:       {"app", "DocuShare Flex app", "The OAuth application registered in DocuShare Flex (Administration → Application Settings → OAuth Application)."},
	StepSite:      {"site", "DocuShare Flex site", "The DocuShare Flex domain the instance connects to, e.g. acme.docushareflex.com."},
	StepAuthorize: {"authorize", "Authorize", "Approve access in the browser; cewiz catches the grant code (or you paste it)."},
	StepEvents:    {"events", "Events", "Whether Cloud Elements notifies you of changes, where it sends them, and how often it polls."},
	StepResources: {"resources", "Resources to poll", "Which DocuShare Flex resources are polled for changes, and the fields that hold their dates."},
	StepInstance:  {"instance", "Instance", "The name and tags of the new instance."},
	StepReview:    {"review", "Review", "The POST /instances body (secrets masked): create it, export it, or change a step."},
	StepCreate:    {"create", "Creating the instance", "Cloud Elements exchanges the grant code with DocuShare Flex and creates the instance."},
	StepResult:    {"result", "Instance created", "The new instance; keep its id and token, every later call needs them."},
	StepError:     {"error", "The instance was not created", "What Cloud Elements answered, and what to do next."},
}

// Name is the step's short lower-case name (for file names and logs).
func (s Step) Name() string {
	if i, ok := stepInfo[s]; ok {
		return i.name
	}
	return fmt.Sprintf("step%d", int(s))
}

func (s Step) String() string { return s.Name() }

// Title is the step's screen title.
func (s Step) Title() string { return stepInfo[s].title }

// Explain is the step's one-line explanation, shown under the title.
func (s Step) Explain() string { return stepInfo[s].explain }

// Editable reports whether the review screen offers to edit the step.
func (s Step) Editable() bool { return s >= StepConnect && s <= StepInstance }

// EditableSteps lists the steps the review screen offers to edit, in order
// (the review screen numbers them from 1).
func EditableSteps() []Step {
	var out []Step
	for _, s := range AllSteps {
		if s.Editable() {
			out = append(out, s)
		}
	}
	return out
}

// Rules are the facts that decide which steps a journey has.
type Rules struct {
	// ExportOnly: no network (offline, or the user chose it). Authorize and
	// Create are skipped; the review screen exports instead of creating.
	ExportOnly bool
}

// Steps lists the steps the user goes through under r, up to Review (the
// question steps; Create/Result/Error follow Review when creating).
func (r Rules) Steps() []Step {
	out := make([]Step, 0, 8)
	for _, s := range AllSteps[:StepReview+1] {
		if r.Skips(s) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// Skips reports whether step s is left out under r.
func (r Rules) Skips(s Step) bool {
	return r.ExportOnly && (s == StepAuthorize || s == StepCreate)
}

// Next is the step after s (Review after the last question; Create after
// Review; Review again when export-only, since nothing follows it).
func (r Rules) Next(s Step) Step {
	switch {
	case s >= StepCreate:
		return s
	case s == StepReview:
		if r.ExportOnly {
			return StepReview
		}
		return StepCreate
	}
	for n := s + 1; n <= StepReview; n++ {
		if !r.Skips(n) {
			return n
		}
	}
	return StepReview
}

// Prev is the step before s (Connect stays Connect).
func (r Rules) Prev(s Step) Step {
	if s > StepReview {
		return StepReview
	}
	for p := s - 1; p >= StepConnect; p-- {
		if !r.Skips(p) {
			return p
		}
	}
	return StepConnect
}

// Progress is "step i of n" for s (1-based); the end screens count as the
// last step.
func (r Rules) Progress(s Step) (i, n int) {
	steps := r.Steps()
	n = len(steps)
	if s > StepReview {
		return n, n
	}
	for k, x := range steps {
		if x == s {
			return k + 1, n
		}
	}
	// A skipped step (e.g. Authorize in export-only mode): where it would be.
	for k, x := range steps {
		if x > s {
			return k + 1, n
		}
	}
	return n, n
}

// CallbackIsLoopback reports whether the answers' callback URL is a loopback
// URI the listener can catch. A registered non-loopback URL (such as
// https://auth.cloudelements.io/oauth) means the user pastes the code.
func CallbackIsLoopback(a Answers) bool {
	r, err := oauthlistener.ParseRedirectURI(a.CallbackURL)
	return err == nil && r.Loopback
}

// Clock tells the time; tests use a fake.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// CodeOldAfter is when a grant code is old enough that it may have expired:
// providers keep codes for minutes (the sandbox for 10; many for fewer).
const CodeOldAfter = 5 * time.Minute

// CodeAgeWarning returns a warning when the code caught at obtained is old
// enough to have expired at clock's now, or "" when it is fresh (or there is
// no code, obtained being zero).
func CodeAgeWarning(obtained time.Time, clock Clock) string {
	if obtained.IsZero() {
		return ""
	}
	if clock == nil {
		clock = SystemClock{}
	}
	age := clock.Now().Sub(obtained)
	if age < CodeOldAfter {
		return ""
	}
	return fmt.Sprintf("The grant code is %s old and may have expired (codes last a few minutes): if creating fails, authorize again.", roundAge(age))
}

func roundAge(d time.Duration) string {
	if d < time.Hour {
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return d.Round(time.Minute).String()
}
