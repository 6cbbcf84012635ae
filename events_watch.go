package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/doctor"
	"github.com/cewiz/cewiz/flow/events"
	"github.com/cewiz/cewiz/flow/journey"
)

// eventsWatchOptions are `cewiz events watch`'s flags: the connection
// flags and --json of flow.Options, and the instance to watch.
type eventsWatchOptions struct {
	flow.Options
	Instance string
	// Follow keeps reading the log every Every.
	Follow bool
	Every  time.Duration
}

const eventsWatchSynopsis = "Print an instance's event log (GET /instances/{id}/events), oldest first, with\n" +
	"each event's status (NEW, RECEIVED, DISPATCHED, CONSUMED, NOTIFIED), the counts,\n" +
	"and the events stuck NEW or RECEIVED for more than two polling intervals\n" +
	"flagged STUCK. --follow keeps reading it and prints each new event, and each\n" +
	"status change, as it appears; --json prints one JSON object per event. The\n" +
	"base URL and the instance token come from the instance's summary file when\n" +
	"cewiz created it (else --base-url/--region, or the last run's); the secrets\n" +
	"from CEWIZ_USER_SECRET and CEWIZ_ORG_SECRET."

func eventsWatchCmd(f *factory, args []string) error {
	var opts eventsWatchOptions
	fs := f.newFlagSet("events watch", eventsWatchSynopsis)
	opts.Register(fs, flow.FlagsConnection|flow.FlagsJSON)
	fs.StringVar(&opts.Instance, "instance", "", "the instance `ID` (as cewiz create prints it)")
	fs.BoolVar(&opts.Follow, "follow", false, "keep reading the log and print what changes, until Ctrl-C")
	fs.DurationVar(&opts.Every, "every", 5*time.Second, "with --follow, how often the log is read (a `duration`)")
	if err := f.parseFlags(fs, &opts.Options, args); err != nil {
		return err
	}
	return eventsWatchRun(f, &opts)
}

func eventsWatchRun(f *factory, opts *eventsWatchOptions) error {
	if opts.Sandbox {
		return &flow.UsageError{Flag: "sandbox", Err: errors.New("--sandbox starts an empty emulator, with no instance to watch; give --base-url of a running 'cewiz sandbox' instead")}
	}
	if !opts.Given("instance") {
		return &flow.UsageError{Flag: "instance", Err: errors.New("say which instance: --instance ID (as cewiz create prints it)")}
	}
	id, err := doctor.ParseInstanceID(opts.Instance)
	if err != nil {
		return &flow.UsageError{Flag: "instance", Err: err}
	}
	if opts.Every <= 0 {
		return &flow.UsageError{Flag: "every", Err: fmt.Errorf("the interval must be a positive duration such as 5s, not %s", opts.Every)}
	}
	s := flow.SecretsFromEnv(f.lookup)
	if s.UserSecret.IsZero() || s.OrgSecret.IsZero() {
		return &flow.UsageError{Err: errors.New("reading the event log needs the platform secrets: set " + flow.EnvUserSecret + " and " + flow.EnvOrgSecret + " (secrets are never flags)")}
	}
	// The summary cewiz saved when it created the instance knows where it
	// lives and its token; flags win, then the last run's answers.
	configDir, _ := f.configDir() // none: neither a summary nor the last run's answers
	a := flow.Memory{Dir: configDir}.Prefill(flow.NewAnswers())
	var token flow.Secret
	if sum, err := journey.LoadSummary(configDir, id); err == nil {
		token = flow.NewSecret(sum.Token)
		if sum.BaseURL != "" {
			a.BaseURL = sum.BaseURL
		}
	}
	if err := opts.ApplyConnection(&a); err != nil {
		return err
	}
	client, err := f.client(a.BaseURL, s, "")
	if err != nil {
		return &flow.UsageError{Flag: "base-url", Err: err}
	}
	ctx, stop := signalContext()
	defer stop()

	in, err := client.GetInstance(ctx, id)
	if err != nil {
		if ctx.Err() != nil {
			return errCanceled
		}
		return journey.WithHint(err)
	}
	interval := events.IntervalOf(in)
	w := &events.Watch{API: client, ID: id, Token: token, Interval: interval}
	log, lines, err := w.Read(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return errCanceled
		}
		return journey.WithHint(err)
	}
	out, stderr := f.io.Out, f.io.Err
	summaryTo := out // the counts are part of the result, except in JSON
	if opts.JSON {
		summaryTo = stderr
	} else {
		name := ""
		if in.Name != "" {
			name = " “" + in.Name + "”"
		}
		fmt.Fprintf(out, "Instance %d%s polls every %s; its event log, oldest first:\n", id, name, events.Minutes(interval))
	}
	for _, l := range lines {
		printLogLine(out, l, opts.JSON)
	}
	fmt.Fprintln(summaryTo, logSummary(log))
	if !opts.Follow {
		return nil
	}
	fmt.Fprintf(stderr, "Following: the log is read every %s; new events and status changes are printed. Ctrl-C to stop.\n", opts.Every)
	err = w.Follow(ctx, opts.Every,
		func(l events.LogLine) { printLogLine(out, l, opts.JSON) },
		func(err error) {
			fmt.Fprintf(stderr, "cewiz: reading the event log failed (%v); trying again in %s.\n", err, opts.Every)
		})
	if err != nil {
		return journey.WithHint(err)
	}
	return nil
}

func printLogLine(w io.Writer, l events.LogLine, asJSON bool) {
	if asJSON {
		b, _ := json.Marshal(l)
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	fmt.Fprintln(w, l.Text())
}

// logSummary is the line under the log: the counts, and the stuck events.
func logSummary(l events.Log) string {
	if len(l.Events) == 0 {
		return "No events recorded yet: change a document in DocuShare Flex and wait one polling interval."
	}
	s := fmt.Sprintf("%d events: %s.", len(l.Events), l.CountsText())
	if n, oldest := l.StuckCount(); n > 0 {
		s += fmt.Sprintf(" %d STUCK: still NEW or RECEIVED after more than %s (the oldest, event %s, from %s); check that the notification URL answers 2xx quickly (cewiz doctor --instance).",
			n, events.Minutes(l.StuckAfter), oldest.ID, oldest.EventDate)
	}
	return s
}
