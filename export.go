package main

import (
	"fmt"

	"github.com/cewiz/cewiz/flow"
)

// exportOptions are `cewiz export`'s flags.
type exportOptions struct {
	flow.Options
	// Format is json (the body) or curl (an equivalent cURL command).
	Format string
}

const exportSynopsis = "Print the POST /instances body on stdout (no network). Missing answers and,\nunless --include-secrets, the Application Secret and the code become placeholders.\n--format curl prints an equivalent cURL command reading the secrets and the code from\n$CE_USER_SECRET, $CE_ORG_SECRET, $CE_APP_SECRET and $CE_GRANT_CODE (not cewiz's own\nCEWIZ_* inputs, so setting them never changes what cewiz sends)."

func exportCmd(f *factory, args []string) error {
	var opts exportOptions
	fs := f.newFlagSet("export", exportSynopsis)
	opts.Register(fs, flow.FlagsConnection|flow.FlagsBody|flow.FlagsIncludeSecrets)
	fs.StringVar(&opts.Format, "format", "json", "output `format`: json or curl")
	if err := f.parseFlags(fs, &opts.Options, args); err != nil {
		return err
	}
	return exportRun(f, &opts)
}

// exportRun prints the body (or the cURL command) on stdout; notes about
// placeholders go to stderr.
func exportRun(f *factory, opts *exportOptions) error {
	stdout, stderr := f.io.Out, f.io.Err
	a, s, err := opts.Resolve(f.lookup, flow.ReadInputFile)
	if err != nil {
		return err
	}
	notes, err := opts.ResolvePoll(&a, flow.PollBase{Offline: "export never contacts Cloud Elements"})
	if err != nil {
		return err
	}
	printNotes(stderr, append(notes, flow.NotificationURLWarning(a.NotificationURL))...)
	switch opts.Format {
	case "json":
		mode := flow.SecretsPlaceholder
		if opts.IncludeSecrets {
			mode = flow.SecretsIncluded
		}
		body := flow.BuildBody(a, s, mode)
		out, err := flow.MarshalBody(body)
		if err != nil {
			return err
		}
		if _, err := stdout.Write(out); err != nil {
			return err
		}
		if !opts.IncludeSecrets && (!s.APISecret.IsZero() || !a.Code.IsZero() || body.Configuration.SignatureKey == flow.PlaceholderSignatureKey && !s.SignatureKey.IsZero()) {
			fmt.Fprintln(stderr, "cewiz: the secrets (the Application Secret, the code, the signature key) were replaced by placeholders; add --include-secrets to write them.")
		}
		if ph := body.Placeholders(); len(ph) > 0 {
			fmt.Fprintf(stderr, "cewiz: the body still has placeholders to fill in: %v\n", ph)
		}
	case "curl":
		out, err := flow.ExportCurl(a, a.BaseURL)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, out)
	default:
		return &flow.UsageError{Flag: "format", Err: fmt.Errorf("unknown format %q; use json or curl", opts.Format)}
	}
	return nil
}
