package tui

import (
	"context"

	"github.com/charmbracelet/lipgloss"
)

// runAccessible is filled in below (accessible mode).
func runAccessible(ctx context.Context, cfg Config, r *lipgloss.Renderer) (Outcome, error) {
	return Outcome{}, ErrNoTerminal
}
