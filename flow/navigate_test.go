package flow

import (
	"fmt"
	"testing"
)

// Each case is a journey: the moves a user makes, and after each where the
// wizard goes; then what the navigator still remembers.
func TestNavigator(t *testing.T) {
	type move struct {
		do   string // what the user does
		want Step   // where the wizard goes
	}
	tests := []struct {
		name       string
		exportOnly bool
		moves      []move
		editing    bool // after the moves: the step was opened from Review
		mustAuth   bool // after the moves: authorize before Review
		exportOut  bool // after the moves: export-only mode
	}{
		{"straight through", false, []move{{"next connect", StepApp}, {"next app", StepSite}, {"next site", StepAuthorize}, {"authorized", StepEvents}, {"next instance", StepReview}, {"create with code", StepCreate}}, false, false, false},
		{"export only skips authorize", true, []move{{"next site", StepEvents}, {"back events", StepSite}}, false, false, true},
		{"back from the first step goes nowhere", false, []move{{"back connect", StepConnect}}, false, false, false},
		{"back keeps going back", false, []move{{"back events", StepAuthorize}, {"back authorize", StepSite}}, false, false, false},
		{"edit a step and come back", false, []move{{"edit events", StepEvents}, {"next events", StepReview}}, false, false, false},
		{"esc from an edit goes back to review", false, []move{{"edit instance", StepInstance}, {"back instance", StepReview}}, false, false, false},
		{"edit the site: the code is void, authorize then review", false, []move{{"edit site", StepSite}, {"next site voided", StepAuthorize}, {"authorized", StepReview}}, false, false, false},
		{"an edit that keeps the code goes straight back", false, []move{{"edit app", StepApp}, {"next app", StepReview}}, false, false, false},
		{"edit authorize means authorizing again", false, []move{{"edit authorize", StepAuthorize}}, true, true, false},
		{"esc from re-authorizing keeps the void code in mind", false, []move{{"edit site", StepSite}, {"next site voided", StepAuthorize}, {"back authorize", StepReview}}, false, true, false},
		{"skip re-authorizing: export only, back to review", false, []move{{"edit site", StepSite}, {"next site voided", StepAuthorize}, {"skip", StepReview}}, false, false, true},
		{"not editable: review itself and the end screens", false, []move{{"edit review", StepReview}, {"edit create", StepReview}}, false, false, false},
		{"authorize is not editable in export-only mode", true, []move{{"edit authorize", StepReview}}, false, false, true},
		{"create without a code authorizes, then creates", false, []move{{"create without code", StepAuthorize}, {"authorized", StepCreate}}, false, false, false},
		{"authorize again & retry from the error screen", false, []move{{"authorize again", StepAuthorize}, {"authorized", StepCreate}}, false, false, false},
		{"skip authorizing: export only", false, []move{{"skip", StepEvents}}, false, false, true},
		{"offline from connect: export only", false, []move{{"offline", StepApp}, {"next site", StepEvents}}, false, false, true},
		{"connecting again ends export only and asks for a code", true, []move{{"connected without code", StepApp}}, false, true, false},
		{"connecting again with a code keeps it", true, []move{{"connected with code", StepApp}}, false, false, false},
		{"connected from an edit: back to review through authorize", true, []move{{"edit connect", StepConnect}, {"connected without code", StepAuthorize}, {"authorized", StepReview}}, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &Navigator{Rules: Rules{ExportOnly: tt.exportOnly}}
			for _, mv := range tt.moves {
				var got Step
				switch mv.do {
				case "authorized":
					got = n.Authorized()
				case "skip":
					got = n.SkipAuthorize()
				case "offline":
					got = n.Offline()
				case "create with code":
					got = n.Create(true)
				case "create without code":
					got = n.Create(false)
				case "authorize again":
					got = n.AuthorizeAgain()
				case "connected with code":
					got = n.Connected(true)
				case "connected without code":
					got = n.Connected(false)
				default:
					var verb, name, extra string
					fmt.Sscan(mv.do, &verb, &name, &extra)
					s := stepNamed(t, name)
					switch verb {
					case "next":
						got = n.Next(s, extra == "voided")
					case "back":
						got, _ = n.Back(s)
						if s == StepConnect {
							if _, ok := n.Back(s); ok {
								t.Fatal("back from connect went somewhere")
							}
						}
					case "edit":
						var ok bool
						if got, ok = n.Edit(s); !ok && got != StepReview {
							t.Fatalf("edit %v refused, but went to %v", s, got)
						}
					default:
						t.Fatalf("unknown move %q", mv.do)
					}
				}
				if got != mv.want {
					t.Fatalf("%s: went to %v, want %v", mv.do, got, mv.want)
				}
			}
			if n.Editing() != tt.editing || n.MustAuthorize() != tt.mustAuth || n.Rules.ExportOnly != tt.exportOut {
				t.Errorf("after the moves: editing %v, must authorize %v, export only %v; want %v %v %v",
					n.Editing(), n.MustAuthorize(), n.Rules.ExportOnly, tt.editing, tt.mustAuth, tt.exportOut)
			}
		})
	}
}

func stepNamed(t *testing.T, name string) Step {
	t.Helper()
	for _, s := range AllSteps {
		if s.Name() == name {
			return s
		}
	}
	t.Fatalf("no step %q", name)
	return 0
}

func TestCodeBoundChanged(t *testing.T) {
	a := NewAnswers()
	a.APIKey, a.Domain = "app", "acme.docushareflex.com"
	s := Secrets{APISecret: NewSecret("x"), UserSecret: NewSecret("u")}
	tests := []struct {
		name string
		edit func(*Answers, *Secrets)
		want bool
	}{
		{"nothing", func(*Answers, *Secrets) {}, false},
		{"application id", func(a *Answers, _ *Secrets) { a.APIKey = "other" }, true},
		{"application secret", func(_ *Answers, s *Secrets) { s.APISecret = NewSecret("y") }, true},
		{"redirect uri", func(a *Answers, _ *Secrets) { a.CallbackURL = "https://auth.cloudelements.io/oauth" }, true},
		{"site", func(a *Answers, _ *Secrets) { a.Domain = "other.docushareflex.com" }, true},
		{"name", func(a *Answers, _ *Secrets) { a.Name = "renamed" }, false},
		{"events", func(a *Answers, _ *Secrets) { a.RefreshInterval = 42 }, false},
		{"user secret", func(_ *Answers, s *Secrets) { s.UserSecret = NewSecret("v") }, false},
	}
	for _, tt := range tests {
		b, u := a.Clone(), s
		tt.edit(&b, &u)
		if got := CodeBoundChanged(a, b, s, u); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
