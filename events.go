package main

import (
	"fmt"

	"github.com/cewiz/cewiz/flow"
)

const eventsUsage = `Usage: cewiz events <receive|watch> [flags]

See the events of an instance, to find out why they do not arrive:
  cewiz events receive [--addr HOST:PORT] [--json]
      a local notification receiver: prints one line per event it is sent,
      and refuses forged or replayed notifications (set CEWIZ_SIGNATURE_KEY
      to check signatures)
  cewiz events watch --instance ID [--follow] [--json]
      the instance's event log with each event's status (NEW, RECEIVED,
      DISPATCHED, CONSUMED, NOTIFIED), the stuck ones flagged

Run 'cewiz events <receive|watch> --help' for their flags.
`

// eventsCmd is `cewiz events`: it hands the rest to receive or watch.
func eventsCmd(f *factory, args []string) error {
	if len(args) == 0 {
		return &flow.UsageError{Err: fmt.Errorf("say what to do: cewiz events receive, or cewiz events watch --instance ID (see 'cewiz events --help')")}
	}
	switch args[0] {
	case "receive":
		return eventsReceiveCmd(f, args[1:])
	case "watch":
		return eventsWatchCmd(f, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(f.io.Out, eventsUsage)
		return nil
	}
	return &flow.UsageError{Err: fmt.Errorf("unknown events command %q: use receive or watch (see 'cewiz events --help')", args[0])}
}
