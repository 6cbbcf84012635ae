package journey_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/oauthlistener"
)

// One cause, one title, one explanation, one next step: the table as the
// wizard, create and the doctor show it.
func TestExplain(t *testing.T) {
	port := &oauthlistener.PortUnavailableError{Addr: "127.0.0.1:23949", Port: 23949, Cause: oauthlistener.CauseInUse}
	conflict := &cloudelements.APIError{Op: "POST /instances", Status: 409, Message: "exists"}
	tests := []struct {
		name  string
		err   error
		kind  journey.Kind
		title string
		next  string // the next step, or a part of it
	}{
		{"denied", &oauthlistener.ProviderError{Code: "access_denied"}, journey.KindDenied, "Access was denied in the browser", "Authorize again and choose Allow"},
		{"provider", &oauthlistener.ProviderError{Code: "server_error"}, journey.KindProviderError, "DocuShare Flex refused the authorization", "registered exactly"},
		{"timeout", oauthlistener.ErrTimeout, journey.KindTimeout, "No answer from the browser in time", "paste the address"},
		{"state mismatch", &oauthlistener.PasteError{Kind: oauthlistener.ErrPasteWrongState, Msg: "m"}, journey.KindWrongState, "That address belongs to another authorization", "newest browser tab"},
		{"paste", &oauthlistener.PasteError{Kind: oauthlistener.ErrPasteTruncated, Msg: "m"}, journey.KindPaste, "That paste cannot be used", "paste it again"},
		{"port busy: the listener's own advice", port, journey.KindPort, "The callback port is not available", port.Advice()},
		{"another cewiz waiting", &oauthlistener.AlreadyWaitingError{Port: 23949}, journey.KindPort, "The callback port is not available", "finish or cancel it"},
		{"401: the client's own advice", &cloudelements.APIError{Status: 401}, journey.KindUnauthorized, "Cloud Elements did not accept the secrets", (&cloudelements.APIError{Status: 401}).Hint()},
		{"refused code", &cloudelements.APIError{Status: 400, ProviderMessage: "invalid_grant: expired"}, journey.KindCodeRejected, "The grant code was rejected", "authorize again"},
		{"outcome unknown", &cloudelements.OutcomeUnknownError{Name: "n", Cause: errors.New("reset")}, journey.KindOutcomeUnknown, "It is unknown whether the instance was created", "Do not create again"},
		{"other API answer: the client's own advice", conflict, journey.KindAPI, "Cloud Elements answered with an error", conflict.Hint()},
		{"unreachable", &cloudelements.NetError{Kind: cloudelements.NetRefused}, journey.KindNetwork, "Cloud Elements cannot be reached", (&cloudelements.NetError{Kind: cloudelements.NetRefused}).Hint()},
		{"missing answer", &journey.MissingError{Field: "DocuShare Flex domain", Flag: "domain"}, journey.KindInvalid, "An answer is missing", "Give the DocuShare Flex domain"},
		{"canceled", context.Canceled, journey.KindCanceled, "Canceled", ""},
		{"anything else", errors.New("?"), journey.KindOther, "Something went wrong", ""},
	}
	titles := map[string]journey.Kind{}
	for _, tt := range tests {
		f := journey.Explain(tt.err)
		if f.Kind != tt.kind || f.Title != tt.title || !strings.Contains(f.Next, tt.next) || (tt.next == "") != (f.Next == "") {
			t.Errorf("%s: %+v; want %v %q, next with %q", tt.name, f, tt.kind, tt.title, tt.next)
		}
		if k, ok := titles[f.Title]; ok && k != f.Kind {
			t.Errorf("%s: the title %q also names %v", tt.name, f.Title, k)
		}
		titles[f.Title] = f.Kind
		if f.Kind != journey.KindOther && (f.Explanation == "" || !strings.HasSuffix(f.Explanation, ".") || strings.Count(f.Explanation, ". ") > 0) {
			t.Errorf("%s: the explanation is not one sentence: %q", tt.name, f.Explanation)
		}
		// The next step is an action, not the cause again.
		if f.Next != "" && (strings.Contains(strings.ToLower(f.Next), strings.ToLower(f.Title)) || strings.Contains(f.Next, strings.TrimSuffix(f.Explanation, "."))) {
			t.Errorf("%s: the next step repeats the cause: %q", tt.name, f.Next)
		}
		if f.Explanation != "" && strings.Contains(strings.ToLower(f.Explanation), strings.ToLower(f.Title)) {
			t.Errorf("%s: the explanation repeats the title: %q", tt.name, f.Explanation)
		}
		for _, s := range []string{f.Title, f.Explanation, f.Next} {
			if strings.Contains(s, "\n") {
				t.Errorf("%s: %q is not one line", tt.name, s)
			}
		}
	}
	if f := journey.Explain(nil); f != (journey.Failure{}) {
		t.Errorf("Explain(nil) = %+v", f)
	}
}
