package journey

import (
	"errors"

	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/oauthlistener"
)

// Failure is what a person is told about one cause of failure, in the same
// words wherever it shows (the wizard, `cewiz create`, the doctor): a
// headline, one sentence on what happened, and one next step. Each says its
// own thing once: the next step is an action, it does not restate the cause
// (the wizard shows all three together).
type Failure struct {
	Kind Kind
	// Title is the headline, e.g. "Access was denied in the browser".
	Title string
	// Explanation says what happened, in one sentence.
	Explanation string
	// Next is the one next step ("" when there is none, e.g. canceled).
	Next string
}

// failures is the one table of causes. The Kind comes from Classify, which
// asks the errors themselves (APIError.CodeRejected, ProviderError.Denied,
// the listener's and the client's typed errors). The kinds that only the
// Cloud Elements client's errors make (unauthorized, code rejected, outcome
// unknown, API, network) have no Next here: Explain takes the error's own
// Hint, which those errors always carry.
var failures = map[Kind]Failure{
	KindCanceled: {
		Title:       "Canceled",
		Explanation: "Ctrl-C stopped it before it finished.",
	},
	KindDenied: {
		Title:       "Access was denied in the browser",
		Explanation: "You chose Deny on the DocuShare Flex page, so no code was issued.",
		Next:        "Authorize again and choose Allow.",
	},
	KindProviderError: {
		Title:       "DocuShare Flex refused the authorization",
		Explanation: "DocuShare Flex did not issue a code.",
		Next:        "Check the Application ID, the Application Secret and that the redirect URI is registered exactly, then authorize again.",
	},
	KindTimeout: {
		Title:       "No answer from the browser in time",
		Explanation: "No answer arrived from the browser before the time ran out.",
		Next:        "Authorize again, or paste the address the browser showed after Allow.",
	},
	KindWrongState: {
		Title:       "That address belongs to another authorization",
		Explanation: "The pasted address comes from an older or someone else's authorization (its state does not match).",
		Next:        "Paste the address from the newest browser tab, or authorize again.",
	},
	KindPaste: {
		Title:       "That paste cannot be used",
		Explanation: "The pasted text is neither the whole address the browser landed on nor a grant code.",
		Next:        "Copy the whole address from the browser's address bar after Allow (or only the code) and paste it again.",
	},
	KindPort: {
		Title:       "The callback port is not available",
		Explanation: "cewiz cannot listen for the browser's answer.",
		Next:        "Another authorization is waiting: finish or cancel it, or use --listen with another port.",
	},
	KindUnauthorized: {
		Title:       "Cloud Elements did not accept the secrets",
		Explanation: "Cloud Elements refused the User or Organization secret (401).",
	},
	KindCodeRejected: {
		Title:       "The grant code was rejected",
		Explanation: "Cloud Elements rejected the grant code: codes are single-use and expire within minutes.",
	},
	KindOutcomeUnknown: {
		Title:       "It is unknown whether the instance was created",
		Explanation: "The create request may have reached Cloud Elements, but no clear answer came back.",
	},
	KindAPI: {
		Title:       "Cloud Elements answered with an error",
		Explanation: "Cloud Elements refused the request.",
	},
	KindNetwork: {
		Title:       "Cloud Elements cannot be reached",
		Explanation: "No answer came from Cloud Elements.",
	},
	KindInvalid: {
		Title:       "An answer is missing",
		Explanation: "An answer this step needs is missing or not valid.",
		Next:        "Give the missing answer and try again.",
	},
	KindOther: {
		Title: "Something went wrong",
	},
}

// Explain classifies err and says what to tell the user about it. The next
// step is the error's own advice when it carries one (the Cloud Elements
// client's errors know the status and the host, the listener's port error
// knows who holds the port), else the table's.
func Explain(err error) Failure {
	k := Classify(err)
	if k == KindNone {
		return Failure{}
	}
	f := failures[k]
	f.Kind = k
	var pu *oauthlistener.PortUnavailableError
	var me *MissingError
	if h := cloudelements.Hint(err); h != "" {
		f.Next = h
	} else if errors.As(err, &pu) {
		f.Next = pu.Advice()
	} else if errors.As(err, &me) {
		f.Next = "Give the " + me.Field + " and try again."
	}
	return f
}
