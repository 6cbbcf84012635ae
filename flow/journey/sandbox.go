package journey

import (
	"os"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// SandboxDomain is the demo DocuShare Flex site prefilled with --sandbox.
const SandboxDomain = "acme.docushareflex.com"

// SandboxConfigDir creates the directory where this --sandbox run keeps the
// summaries of its throwaway instances, out of the user's config: a new
// directory under $TMPDIR with a random name, mode 0700. A fixed name
// could be planted beforehand by another user of the machine (a symlink
// to their directory) and the instance tokens written through it.
func SandboxConfigDir() (string, error) { return os.MkdirTemp("", "cewiz-sandbox-") }

// SandboxPrefill points the answers at a running sandbox (baseURL is its
// BaseURL()) and fills in its demo secrets and Application ID, a demo domain
// and notification URL, so a newcomer can press enter through the wizard or
// run create with no flags. Answers given explicitly are kept. The wizard
// and cewiz create/doctor share it.
func SandboxPrefill(a *flow.Answers, s *flow.Secrets, baseURL string) {
	if a.ElementKey == "" {
		*a = flow.NewAnswers()
	}
	a.BaseURL, a.Region = baseURL, ""
	orDefault := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	orDefault(&a.APIKey, sandbox.DemoAppID)
	orDefault(&a.Domain, SandboxDomain)
	orDefault(&a.NotificationURL, "https://example.com/cewiz-sandbox/events")
	*s = s.Or(flow.Secrets{
		UserSecret: flow.NewSecret(sandbox.DemoUserSecret),
		OrgSecret:  flow.NewSecret(sandbox.DemoOrgSecret),
		APISecret:  flow.NewSecret(sandbox.DemoAppSecret),
	})
}
