package main

import (
	"fmt"
	"os"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// The --sandbox wiring: main alone starts the built-in emulator (nothing
// under flow/ or tui/ imports it) and fills in its demo answers.

// sandboxDomain is the demo DocuShare Flex site prefilled with --sandbox.
const sandboxDomain = "acme.docushareflex.com"

// sandboxRun is a running emulator for one --sandbox run.
type sandboxRun struct {
	srv *sandbox.Server
}

// newSandbox starts the in-process emulator for --sandbox.
func newSandbox() (*sandboxRun, error) {
	srv, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		return nil, fmt.Errorf("cannot start the sandbox: %w", err)
	}
	return &sandboxRun{srv: srv}, nil
}

func (r *sandboxRun) close() { _ = r.srv.Close() }

// prefill points the answers at the emulator and fills in its demo secrets
// and Application ID, a demo domain and notification URL, so a newcomer can
// press enter through the wizard or run create with no flags. Answers given
// explicitly are kept. The wizard, create and doctor share it.
func (r *sandboxRun) prefill(a *flow.Answers, s *flow.Secrets) {
	if a.ElementKey == "" {
		*a = flow.NewAnswers()
	}
	a.BaseURL, a.Region = r.srv.BaseURL(), ""
	orDefault := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	orDefault(&a.APIKey, sandbox.DemoAppID)
	orDefault(&a.Domain, sandboxDomain)
	orDefault(&a.NotificationURL, "https://example.com/cewiz-sandbox/events")
	*s = s.Or(flow.Secrets{
		UserSecret: flow.NewSecret(sandbox.DemoUserSecret),
		OrgSecret:  flow.NewSecret(sandbox.DemoOrgSecret),
		APISecret:  flow.NewSecret(sandbox.DemoAppSecret),
	})
}

// sandboxConfigDir creates the directory where this --sandbox run keeps
// the summaries of its throwaway instances, out of the user's config: a
// new directory under $TMPDIR with a random name, mode 0700. A fixed name
// could be planted beforehand by another user of the machine (a symlink
// to their directory) and the instance tokens written through it. It is
// left in place: the summary's path was shown to the user.
func sandboxConfigDir() (string, error) {
	dir, err := os.MkdirTemp("", "cewiz-sandbox-")
	if err != nil {
		return "", fmt.Errorf("cannot make the sandbox's directory: %w", err)
	}
	return dir, nil
}
