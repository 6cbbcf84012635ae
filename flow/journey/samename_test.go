package journey_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
	"github.com/cewiz/cewiz/flow/journey"
)

// Names are not unique: before creating, a caller looks for instances of
// the same name on every page and tells the user which exist.
func TestSameName(t *testing.T) {
	srv, err := sandbox.Start(sandbox.Options{MaxPageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := cloudelements.New(srv.BaseURL(), flow.NewSecret(sandbox.DemoUserSecret), flow.NewSecret(sandbox.DemoOrgSecret))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	create := func(name string) int64 {
		a := flow.NewAnswers()
		a.BaseURL, a.Domain, a.APIKey, a.Name = srv.BaseURL(), "acme.docushareflex.com", sandbox.DemoAppID, name
		a.NotificationURL = "https://hooks.example.com/e"
		a.Code = flow.NewSecret(srv.IssueCode(a.CallbackURL, a.Domain, a.APIKey))
		in, err := journey.Create(ctx, c, a, flow.Secrets{APISecret: flow.NewSecret(sandbox.DemoAppSecret)})
		if err != nil {
			t.Fatal(err)
		}
		return in.ID
	}
	create("docushareflex-acme-old")
	first := create("docushareflex-acme")
	create("other")

	found, err := journey.SameName(ctx, c, "docushareflex-acme")
	if err != nil || len(found) != 1 || found[0].ID != first {
		t.Fatalf("found %v, %v", found, err)
	}
	w := journey.SameNameWarning("docushareflex-acme", found)
	if !strings.Contains(w, `"docushareflex-acme" already exists (id `) || !strings.Contains(w, "created ") || !strings.Contains(w, "rename") {
		t.Fatalf("warning %q", w)
	}
	// Cloud Elements accepts the duplicate; then both are found.
	second := create("docushareflex-acme")
	found, _ = journey.SameName(ctx, c, "docushareflex-acme")
	if len(found) != 2 || found[0].ID != first || found[1].ID != second {
		t.Fatalf("found %v", found)
	}
	if w := journey.SameNameWarning("docushareflex-acme", found); !strings.HasPrefix(w, `2 instances named "docushareflex-acme" already exist`) {
		t.Fatalf("warning %q", w)
	}
	if found, err := journey.SameName(ctx, c, "nobody"); err != nil || len(found) != 0 || journey.SameNameWarning("nobody", found) != "" {
		t.Fatalf("nobody: %v %v", found, err)
	}
}
