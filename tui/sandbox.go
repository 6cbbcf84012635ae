package tui

import (
	"github.com/cewiz/cewiz/flow/journey"
)

// SandboxPrefill points cfg at a running sandbox (baseURL is its
// BaseURL()): the answers and secrets as journey.SandboxPrefill fills them,
// plus the wizard's own settings for a throwaway run.
func SandboxPrefill(cfg *Config, baseURL string) error {
	journey.SandboxPrefill(&cfg.Answers, &cfg.Secrets, baseURL)
	cfg.Sandbox = true
	// The sandbox is a throwaway: do not remember its base URL for the
	// next real run, and keep its summaries out of the user's config.
	cfg.NoRemember = true
	if cfg.ConfigDir == "" {
		dir, err := journey.SandboxConfigDir()
		if err != nil {
			return err
		}
		cfg.ConfigDir = dir
	}
	return nil
}
