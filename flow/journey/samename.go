package journey

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/cewiz/cewiz/flow/cloudelements"
)

// NameLookup finds the instances that have exactly a name.
// *cloudelements.Client implements it (InstancesNamed: searchText and every
// page, the exact name kept).
type NameLookup interface {
	InstancesNamed(ctx context.Context, name string) ([]cloudelements.Instance, error)
}

// SameName returns the instances already named name, oldest first. Cloud
// Elements accepts a duplicate name (names are not unique), so this is what
// a caller uses to ask "create another, or rename?" before creating.
func SameName(ctx context.Context, api NameLookup, name string) ([]cloudelements.Instance, error) {
	if api == nil || strings.TrimSpace(name) == "" {
		return nil, nil
	}
	found, err := api.InstancesNamed(ctx, name)
	if err != nil {
		return nil, err
	}
	found = append([]cloudelements.Instance(nil), found...)
	sort.SliceStable(found, func(i, j int) bool { return found[i].ID < found[j].ID })
	return found, nil
}

// SameNameWarning is the sentence to show when instances of that name
// exist ("" when none): their ids and creation dates, and the choice.
func SameNameWarning(name string, found []cloudelements.Instance) string {
	if len(found) == 0 {
		return ""
	}
	var which []string
	for i, in := range found {
		if i == 3 {
			which = append(which, fmt.Sprintf("and %d more", len(found)-3))
			break
		}
		s := fmt.Sprintf("id %d", in.ID)
		if c := in.Created(); !c.IsZero() {
			s += ", created " + c.UTC().Format("2006-01-02 15:04 UTC")
		}
		which = append(which, s)
	}
	head := fmt.Sprintf("An instance named %q already exists", name)
	if len(found) > 1 {
		head = fmt.Sprintf("%d instances named %q already exist", len(found), name)
	}
	return head + " (" + strings.Join(which, "; ") + "): Cloud Elements accepts another of the same name; rename it if you want to tell them apart."
}
