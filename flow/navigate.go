package flow

// Navigator decides where the wizard goes next and what must be redone. The
// order of the steps and the ones skipped are Rules'; the navigator adds
// what the journey so far implies:
//
//   - a step opened from Review ("edit a step") goes back to Review, or
//     back to it through Authorize when the grant code must be renewed;
//   - changing an answer the grant code is bound to (the application, its
//     secret, the redirect URI, the site) voids the code: authorize again
//     before Review;
//   - "authorize again & retry" (the error screen, or creating without a
//     code) creates the instance as soon as the new code arrives;
//   - leaving Cloud Elements (offline, or skipping the authorization) is
//     export-only mode; connecting again ends it, and asks for a code.
//
// The wizard asks it at every move and goes where it says; it holds no
// answers.
type Navigator struct {
	Rules Rules

	// returnToReview: the current step was opened from Review.
	returnToReview bool
	// needsAuth: the grant code is void or missing; authorize again
	// before Review.
	needsAuth bool
	// createAfterAuth: create as soon as the authorization succeeds.
	createAfterAuth bool
}

// Next is where a question step goes once answered: back to Review when
// editing from there (via Authorize when the code must be renewed), else
// the next step. codeVoided says the answers just changed voided the code.
func (n *Navigator) Next(from Step, codeVoided bool) Step {
	if codeVoided {
		n.needsAuth = true
	}
	if n.returnToReview {
		if n.needsAuth && !n.Rules.ExportOnly && from != StepAuthorize {
			return StepAuthorize // then back to Review
		}
		n.returnToReview = false
		return StepReview
	}
	return n.Rules.Next(from)
}

// Back is where esc goes from a question step (the answers are kept): back
// to Review when editing from there, else the previous step. ok is false
// on the first step, where there is nowhere to go back to.
func (n *Navigator) Back(from Step) (to Step, ok bool) {
	if n.returnToReview {
		n.returnToReview = false
		return StepReview, true
	}
	if from == StepConnect {
		return from, false
	}
	return n.Rules.Prev(from), true
}

// Edit opens step s from Review; ok is false for a step that cannot be
// edited (Review itself, the end screens) or is skipped (Authorize in
// export-only mode). Opening Authorize means authorizing again.
func (n *Navigator) Edit(s Step) (to Step, ok bool) {
	if !s.Editable() || n.Rules.Skips(s) {
		return StepReview, false
	}
	n.returnToReview = true
	if s == StepAuthorize {
		n.needsAuth = true
	}
	return s, true
}

// Create is where "create" on Review goes: Create, or Authorize first when
// there is no code yet (then Create at once).
func (n *Navigator) Create(haveCode bool) Step {
	if !haveCode {
		return n.AuthorizeAgain()
	}
	return StepCreate
}

// AuthorizeAgain is "authorize again & retry": a new authorization, then
// Create at once, every other answer kept. The caller forgets the old code.
func (n *Navigator) AuthorizeAgain() Step {
	n.needsAuth = true
	n.createAfterAuth = true
	return StepAuthorize
}

// Authorized is where the wizard goes when the grant code arrives: Create
// when it was asked for, else on as after any answered step.
func (n *Navigator) Authorized() Step {
	n.needsAuth = false
	if n.createAfterAuth {
		n.createAfterAuth = false
		n.returnToReview = false
		return StepCreate
	}
	return n.Next(StepAuthorize, false)
}

// SkipAuthorize gives up authorizing: export-only mode, on to the next
// step.
func (n *Navigator) SkipAuthorize() Step {
	n.Rules.ExportOnly = true
	n.needsAuth = false
	n.createAfterAuth = false
	return n.Next(StepAuthorize, false)
}

// Offline continues without Cloud Elements from Connect: export-only mode.
func (n *Navigator) Offline() Step {
	n.Rules.ExportOnly = true
	return n.Next(StepConnect, false)
}

// Connected is where the wizard goes once Cloud Elements accepted the
// secrets. It ends export-only mode; coming out of it without a code means
// authorizing before Review.
func (n *Navigator) Connected(haveCode bool) Step {
	if n.Rules.ExportOnly && !haveCode {
		n.needsAuth = true
	}
	n.Rules.ExportOnly = false
	return n.Next(StepConnect, false)
}

// Editing reports whether the current step was opened from Review (esc
// goes back there).
func (n *Navigator) Editing() bool { return n.returnToReview }

// MustAuthorize reports whether the grant code must be renewed: an answer
// it is bound to changed, or the user asked to authorize again.
func (n *Navigator) MustAuthorize() bool { return n.needsAuth }

// CodeBoundChanged reports whether moving from answers a to b (and secrets
// s to t) changes what the grant code is bound to: the Application ID and
// Secret, the redirect URI and the DocuShare Flex site. A code issued for
// the old ones is refused.
func CodeBoundChanged(a, b Answers, s, t Secrets) bool {
	return a.APIKey != b.APIKey || s.APISecret.Reveal() != t.APISecret.Reveal() ||
		a.CallbackURL != b.CallbackURL || a.Domain != b.Domain
}
