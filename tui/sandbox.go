package tui

import (
	"os"
	"path/filepath"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// SandboxDomain is the demo DocuShare Flex site prefilled with --sandbox.
const SandboxDomain = "acme.docushareflex.com"

// SandboxPrefill points cfg at a running sandbox (baseURL is its
// BaseURL()) and prefills its demo secrets and Application ID and a demo
// domain, so a newcomer can press enter through the wizard. Answers given
// explicitly (flags, variables) are kept.
func SandboxPrefill(cfg *Config, baseURL string) {
	def := flow.NewAnswers()
	if cfg.Answers.ElementKey == "" {
		cfg.Answers = def
	}
	a := &cfg.Answers
	a.BaseURL, a.Region = baseURL, ""
	if a.APIKey == "" {
		a.APIKey = sandbox.DemoAppID
	}
	if a.Domain == "" {
		a.Domain = SandboxDomain
	}
	if a.NotificationURL == "" {
		a.NotificationURL = "https://example.com/cewiz-sandbox/events"
	}
	s := &cfg.Secrets
	if s.UserSecret.IsZero() {
		s.UserSecret = flow.NewSecret(sandbox.DemoUserSecret)
	}
	if s.OrgSecret.IsZero() {
		s.OrgSecret = flow.NewSecret(sandbox.DemoOrgSecret)
	}
	if s.APISecret.IsZero() {
		s.APISecret = flow.NewSecret(sandbox.DemoAppSecret)
	}
	cfg.Sandbox = true
	// The sandbox is a throwaway: do not remember its base URL for the
	// next real run.
	cfg.NoRemember = true
	if cfg.ConfigDir == "" {
		// Summaries of throwaway instances stay out of the user's config.
		cfg.ConfigDir = filepath.Join(os.TempDir(), "cewiz-sandbox")
	}
}
