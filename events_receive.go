package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/events"
)

// eventsReceiveOptions are `cewiz events receive`'s flags.
type eventsReceiveOptions struct {
	// Addr is where the receiver listens (HOST:PORT; port 0 picks one).
	Addr string
	// JSON prints one JSON object per event instead of a line of text.
	JSON bool
}

const eventsReceiveSynopsis = "A local notification receiver: give its URL as the instance's notification URL\n" +
	"(--notify-url), locally with the sandbox or behind a tunnel you already run. It\n" +
	"answers 200 to each well-formed notification and prints one line per event on\n" +
	"stdout: object type, event type, object id, instance, time (--json: one JSON\n" +
	"object per line). With CEWIZ_SIGNATURE_KEY set (the instance's\n" +
	"event.notification.signature.key, kept in its summary file) it checks each\n" +
	"notification's Elements-Webhook-Signature and refuses a missing or wrong one\n" +
	"(401); a notification received twice is refused (409). Refusals go to stderr.\n" +
	"Bodies over 1 MiB and slow requests are refused. Runs until Ctrl-C."

func eventsReceiveCmd(f *factory, args []string) error {
	var opts eventsReceiveOptions
	fs := f.newFlagSet("events receive", eventsReceiveSynopsis)
	fs.StringVar(&opts.Addr, "addr", events.DefaultAddr, "listen `address` HOST:PORT (port 0 picks a free one; 0.0.0.0 to be reached from a tunnel or another machine)")
	fs.BoolVar(&opts.JSON, "json", false, "one JSON object per event on stdout")
	if err := f.parseFlags(fs, nil, args); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(opts.Addr); err != nil {
		return &flow.UsageError{Flag: "addr", Err: fmt.Errorf("%q is not HOST:PORT (for example %s)", opts.Addr, events.DefaultAddr)}
	}
	if err := flow.CheckSignatureKeyEnv(f.lookup); err != nil {
		return err
	}
	return eventsReceiveRun(f, &opts, flow.SecretsFromEnv(f.lookup).SignatureKey)
}

// eventsReceiveRun serves the receiver until Ctrl-C, which is how it is
// meant to stop: it ends with exit 0.
func eventsReceiveRun(f *factory, opts *eventsReceiveOptions, key flow.Secret) error {
	ctx, stop := signalContext()
	defer stop()
	p := &events.Printer{Out: f.io.Out, Err: f.io.Err, JSON: opts.JSON}
	srv, err := events.Listen(opts.Addr, events.ReceiverOptions{Key: key, OnDelivery: p.Print})
	if err != nil {
		return fmt.Errorf("%w\nNext: choose another address with --addr (port 0 picks a free one)", err)
	}
	fmt.Fprintf(f.io.Err, "Receiving notifications at %s (any path; POST only).\n", srv.URL())
	if key.IsZero() {
		fmt.Fprintln(f.io.Err, "CEWIZ_SIGNATURE_KEY is not set: signatures are not checked. Set it to the instance's key (its summary file holds it) to refuse forged notifications.")
		if host, _, _ := net.SplitHostPort(opts.Addr); !flow.IsLoopbackHost(host) {
			fmt.Fprintln(f.io.Err, "cewiz: this receiver is reachable from other machines and checks no signature: anyone who reaches it can post.")
		}
	} else {
		fmt.Fprintln(f.io.Err, "Signatures are checked with CEWIZ_SIGNATURE_KEY: a missing or wrong one is refused.")
	}
	fmt.Fprintln(f.io.Err, "Give this URL as the notification URL (--notify-url); press Ctrl-C to stop.")
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return nil
}
