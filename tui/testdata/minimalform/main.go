// Command minimalform is the floor cewiz's first frame is measured against
// (docs/benchmarks.md): the smallest huh v1.0.0 program with the shape of
// the wizard's first screen (a select, then an input, in one group), built
// from cewiz's own go.mod so that it uses the same pinned modules. It draws
// on stderr and reads stdin like the wizard; its title carries the marker
// the harness (../firstframe.py) waits for.
//
//	go build -trimpath -ldflags="-s -w" -o /tmp/ff/minimalform ./tui/testdata/minimalform
package main

import (
	"fmt"
	"os"

	"github.com/charmbracelet/huh"
)

func main() {
	region, url := "custom", ""
	err := huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().Title("Step 1 of 1: region").
			Options(huh.NewOptions("us", "eu", "custom")...).Value(&region),
		huh.NewInput().Title("Base URL").Value(&url),
	)).Run()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(region, url)
}
