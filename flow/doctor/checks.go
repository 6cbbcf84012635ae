package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/events"
	"github.com/cewiz/cewiz/flow/journey"
	"github.com/cewiz/cewiz/oauthlistener"
)

// Titles of the checks, as the list shows them.
var titles = map[string]string{
	IDBaseURL:        "Cloud Elements base URL answers",
	IDSecrets:        "User and Organization secrets accepted",
	IDElement:        "Element exists and supports polling",
	IDDomain:         "DocuShare Flex domain",
	IDNotifyURL:      "Notification URL",
	IDLoopbackPort:   "Loopback port for the OAuth callback",
	IDBrowser:        "A browser can be opened here",
	IDInstance:       "Instance is valid and enabled",
	IDInstanceEvents: "Instance events are on",
	IDVendorType:     "Instance event vendor type",
	IDInterval:       "Instance polling interval",
	IDPoller:         "Instance poller configuration",
	IDEventLog:       "Instance recent events",
	IDNotifyDelivery: "A notification reaches this machine",
}

func result(id string, s Status, finding, next string) Result {
	return Result{ID: id, Title: titles[id], Status: s, Finding: oneLine(finding), Next: oneLine(next)}
}

// oneLine keeps a text on one line (server messages may hold newlines).
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 400
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

// netResult turns a failure to reach host into a Result.
func netResult(id, host string, err error) Result {
	switch cloudelements.NetKindOf(err) {
	case cloudelements.NetDNS:
		return result(id, Fail, host+" does not resolve (DNS): no such host.",
			"Check the base URL or --region for typos, and this machine's network and DNS.")
	case cloudelements.NetTLS:
		return result(id, Fail, "The secure connection to "+host+" failed (TLS).",
			"Check that the base URL uses https, the system clock, and any proxy that intercepts TLS.")
	case cloudelements.NetTimeout:
		return result(id, Fail, host+" did not answer in time.", timeoutNext)
	case cloudelements.NetRefused:
		return result(id, Fail, "Nothing answers at "+host+" (connection refused).",
			"Check the base URL and port; for the sandbox, check that `cewiz sandbox` is still running.")
	case cloudelements.NetReset:
		return result(id, Fail, "The connection to "+host+" was cut.",
			"Check the network or proxy and run the doctor again.")
	case cloudelements.NetCanceled:
		return result(id, Skip, "Canceled.", "")
	}
	return result(id, Fail, "Could not reach "+host+".",
		"Check the network, the base URL and any proxy settings.")
}

func hostOf(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return u.Host
	}
	return rawURL
}

func elementKey(a flow.Answers) string {
	if a.ElementKey == "" {
		return flow.ElementKey
	}
	return a.ElementKey
}

// CheckBaseURL sends one GET without credentials to the element's address
// under the base URL: any HTTP answer but 404 means Cloud Elements answers
// there; 404 means the path or the region is wrong. DNS, TLS, refusals and
// timeouts each get their own finding.
func CheckBaseURL(ctx context.Context, a flow.Answers, p Prober) Result {
	if p == nil {
		return result(IDBaseURL, Skip, "Not checked here.", "")
	}
	base := a.BaseURL
	host := hostOf(base)
	status, err := p.Probe(ctx, base+"/elements/"+url.PathEscape(elementKey(a)))
	if err != nil {
		return netResult(IDBaseURL, host, err)
	}
	where := base
	if a.Region != "" {
		where += " (region " + a.Region + ")"
	}
	switch {
	case status == http.StatusNotFound:
		return result(IDBaseURL, Fail, fmt.Sprintf("%s answers 404 Not Found at the API path: this is not the Cloud Elements API, or the wrong region.", host),
			"Check --base-url (it must end in "+flow.APIPath+") or choose the account's --region ("+strings.Join(flow.RegionNames, ", ")+").")
	case status >= 500:
		return result(IDBaseURL, Warn, fmt.Sprintf("%s answers %d %s: Cloud Elements is having trouble.", host, status, http.StatusText(status)),
			"Try again later; if it persists, check Cloud Elements' status page.")
	case status >= 300 && status < 400:
		return result(IDBaseURL, Warn, fmt.Sprintf("%s answers with a redirect (%d): the base URL may be outdated.", host, status),
			"Use the API base URL of your region, e.g. "+flow.Regions["us"]+".")
	case status == http.StatusTooManyRequests:
		return result(IDBaseURL, Warn, host+" is limiting the request rate (429).", "Wait a minute and run the doctor again.")
	}
	return result(IDBaseURL, Pass, "Cloud Elements answers at "+where+".", "")
}

// CheckSecrets asks for the element with the User and Organization secrets:
// a 401 means they were refused. A 404 passed authentication (the element
// check says more).
func CheckSecrets(ctx context.Context, haveSecrets bool, api API) Result {
	if !haveSecrets || api == nil {
		return result(IDSecrets, Skip, "No secrets given, so nothing that needs them was checked.",
			"Set "+flow.EnvUserSecret+" and "+flow.EnvOrgSecret+" to check them (secrets are never flags).")
	}
	_, err := api.ElementInfo(ctx)
	var ae *cloudelements.APIError
	switch {
	case err == nil:
		return result(IDSecrets, Pass, "Cloud Elements accepted the User and Organization secrets.", "")
	case errors.As(err, &ae) && ae.Status == http.StatusUnauthorized:
		return result(IDSecrets, Fail, "Cloud Elements refused the User or Organization secret (401)"+requestID(ae)+".", journey.Explain(err).Next)
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		return result(IDSecrets, Pass, "Cloud Elements accepted the secrets.", "")
	case errors.As(err, &ae):
		return apiResult(IDSecrets, ae)
	}
	return netResult(IDSecrets, "Cloud Elements", err)
}

func requestID(ae *cloudelements.APIError) string {
	if ae.RequestID == "" {
		return ""
	}
	return " [requestId " + ae.RequestID + "]"
}

// apiResult is a generic error answer.
func apiResult(id string, ae *cloudelements.APIError) Result {
	s := Fail
	if ae.Temporary() {
		s = Warn
	}
	msg := fmt.Sprintf("Cloud Elements answered %d %s", ae.Status, http.StatusText(ae.Status))
	if ae.Message != "" {
		msg += ": " + ae.Message
	}
	if ae.ProviderMessage != "" {
		msg += " (provider: " + ae.ProviderMessage + ")"
	}
	return result(id, s, msg+requestID(ae)+".", journey.Explain(ae).Next)
}

func errResult(id string, err error) Result {
	var ae *cloudelements.APIError
	if errors.As(err, &ae) {
		return apiResult(id, ae)
	}
	return netResult(id, "Cloud Elements", err)
}

// CheckElement reads the element and its metadata: it must exist at this
// base URL and say that it polls for events.
func CheckElement(ctx context.Context, key string, api API) Result {
	if api == nil {
		return result(IDElement, Skip, "Not checked: no secrets.", "")
	}
	if key == "" {
		key = flow.ElementKey
	}
	el, err := api.ElementInfo(ctx)
	if err != nil {
		var ae *cloudelements.APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return result(IDElement, Fail, "The element "+key+" is not found at this base URL"+requestID(ae)+".",
				"Check the region (the element and the account must be in the one you use) and the element key.")
		}
		return errResult(IDElement, err)
	}
	// Metadata is read by the numeric id: the public record has no
	// metadata by key (a key gets 404).
	if el.ID == 0 {
		return result(IDElement, Warn, "The element "+key+" exists, but its answer has no numeric id, so its metadata (read by id) was not checked.",
			"Check the base URL points at Cloud Elements; events can still work.")
	}
	name := fmt.Sprintf("%s (id %d)", key, el.ID)
	md, err := api.ElementMetadata(ctx, el.ID)
	if err != nil {
		r := errResult(IDElement, err)
		if r.Status == Fail {
			r.Status = Warn
		}
		r.Finding = "The element " + name + " exists, but its metadata could not be read: " + r.Finding
		return r
	}
	if !md.SupportsPolling() {
		return result(IDElement, Fail, "The element "+name+" exists but does not say it supports polling events.",
			"Events for this element cannot be polled here: check the element key and the region with Cloud Elements support.")
	}
	return result(IDElement, Pass, "The element "+name+" exists and supports polling events.", "")
}

// CheckDomain checks the domain's form and that it resolves.
func CheckDomain(ctx context.Context, raw string, sandboxMode bool, r Resolver) Result {
	if strings.TrimSpace(raw) == "" {
		return result(IDDomain, Skip, "No domain given.", "Give --domain <company>.docushareflex.com to check it.")
	}
	d, err := flow.NormalizeDomain(raw)
	if err != nil {
		return result(IDDomain, Fail, err.Error(), "Use your site's host as in the DocuShare Flex address bar: <company>.docushareflex.com.")
	}
	if sandboxMode {
		return result(IDDomain, Pass, d+" is well formed (the sandbox needs no DNS).", "")
	}
	if r == nil {
		return result(IDDomain, Pass, d+" is well formed (DNS not checked).", "")
	}
	return resolveResult(ctx, IDDomain, d, d+" is well formed", r,
		"Check the spelling of the site (the part before .docushareflex.com) and this machine's DNS.")
}

// resolveResult resolves host and reports it.
func resolveResult(ctx context.Context, id, host, okPrefix string, r Resolver, nxNext string) Result {
	addrs, err := r.LookupHost(ctx, host)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return result(id, Fail, host+" does not resolve (no such host).", nxNext)
		}
		if cloudelements.NetKindOf(err) == cloudelements.NetTimeout || (errors.As(err, &dnsErr) && (dnsErr.IsTimeout || dnsErr.IsTemporary)) {
			return result(id, Warn, okPrefix+", but DNS did not answer for "+host+" in time.", "Check this machine's network and DNS, then run the doctor again.")
		}
		return result(id, Fail, host+" could not be resolved.", nxNext)
	}
	shown := ""
	if len(addrs) > 0 {
		shown = " (" + addrs[0] + ")"
	}
	return result(id, Pass, okPrefix+" and resolves"+shown+".", "")
}

// CheckNotifyURL checks the notification URL's form and that its host
// resolves. No URL while events are on is a warning: the events have
// nowhere to go. Plain http is a warning, not a failure: Cloud Elements has
// no https-only rule (its own examples use http://), but events would travel
// unencrypted, and on this machine Cloud Elements cannot reach it at all.
func CheckNotifyURL(ctx context.Context, raw string, eventsEnabled bool, r Resolver) Result {
	if strings.TrimSpace(raw) == "" {
		if eventsEnabled {
			return result(IDNotifyURL, Warn, "No notification URL given: with events on, Cloud Elements needs one to deliver them.",
				"Give --notify-url https://… (the endpoint of your application that receives events).")
		}
		return result(IDNotifyURL, Skip, "Events are off, so no notification URL is needed.", "")
	}
	warn, err := flow.CheckNotificationURL(raw)
	if err != nil {
		return result(IDNotifyURL, Fail, err.Error(), "Give an http(s) URL that Cloud Elements can reach from the internet (https recommended).")
	}
	u, _ := url.Parse(strings.TrimSpace(raw))
	host := u.Hostname()
	switch {
	case errors.Is(warn, flow.ErrLoopbackHTTP):
		return result(IDNotifyURL, Warn, warn.Error()+".", "Use a public URL (a tunnel such as ngrok for local testing).")
	case warn != nil:
		return result(IDNotifyURL, Warn, warn.Error()+".", "Use https:// if your endpoint supports it.")
	}
	if net.ParseIP(host) != nil || r == nil {
		return result(IDNotifyURL, Pass, "The notification URL uses https.", "")
	}
	return resolveResult(ctx, IDNotifyURL, host, "The notification URL uses https", r,
		"Check the notification URL's host for typos; Cloud Elements must be able to resolve and reach it.")
}

// listenAddr is the address the listener would bind, or "" when the
// callback is not a loopback URI.
func listenAddr(a flow.Answers, listen string) (string, error) {
	if listen != "" {
		return listen, nil
	}
	if !flow.CallbackIsLoopback(a) {
		return "", nil
	}
	r, err := oauthlistener.ParseRedirectURI(a.CallbackURL)
	if err != nil {
		return "", err
	}
	return r.ListenAddr(), nil
}

// CheckLoopbackPort checks that the listener's port can be bound, and
// when not, says who holds it: another cewiz waiting, or (when the system
// tells) which program.
func CheckLoopbackPort(ctx context.Context, a flow.Answers, listen string, ports PortProber) Result {
	addr, err := listenAddr(a, listen)
	if err != nil {
		return result(IDLoopbackPort, Fail, err.Error(), "Fix --callback-url.")
	}
	if addr == "" {
		return result(IDLoopbackPort, Skip, "The callback is a registered URL ("+a.CallbackURL+"): no listener is needed, the code is pasted.", "")
	}
	if ports == nil {
		return result(IDLoopbackPort, Skip, "Not checked here.", "")
	}
	_, portStr, _ := net.SplitHostPort(addr)
	if portStr == "0" {
		return result(IDLoopbackPort, Pass, "A free port is picked when authorizing (--listen "+addr+").", "")
	}
	err = ports.ProbePort(ctx, addr)
	var aw *oauthlistener.AlreadyWaitingError
	var pu *oauthlistener.PortUnavailableError
	switch {
	case err == nil:
		return result(IDLoopbackPort, Pass, addr+" is free for the OAuth callback.", "")
	case errors.As(err, &aw):
		return result(IDLoopbackPort, Fail, fmt.Sprintf("Another cewiz authorization is waiting on port %d.", aw.Port),
			"Finish or cancel it in the other cewiz window, then try again.")
	case errors.As(err, &pu):
		finding := fmt.Sprintf("Port %d on %s is %s", pu.Port, hostPart(pu.Addr), pu.Cause)
		if pu.Cause == oauthlistener.CauseInUse {
			if who := ports.Holder(pu.Port); who != "" {
				finding += " by " + who
			}
		}
		return result(IDLoopbackPort, Fail, finding+".", pu.Advice())
	}
	return result(IDLoopbackPort, Fail, err.Error(), "Use --listen 127.0.0.1:PORT with a free port and register the matching redirect URI.")
}

func hostPart(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

// probeURL is what the browser check plans to open (nothing is opened).
const probeURL = "https://docushareflex.example/oauth/authorize"

// CheckBrowser tells whether a browser can be opened here, and why not
// (SSH, no display, WSL without wslview, only text browsers, none found).
// Not being able to is a warning: cewiz prints the address to open
// elsewhere and accepts the pasted redirect.
func CheckBrowser(b BrowserChecker, port int, sshHost string) Result {
	if b == nil {
		return result(IDBrowser, Skip, "Not checked here.", "")
	}
	p, err := b.Plan(probeURL)
	if err != nil {
		var nb *oauthlistener.NoBrowserError
		next := "cewiz prints the authorization address: open it in any browser and paste the redirected address back (or use --code)."
		if errors.As(err, &nb) {
			if nb.SSH() && port > 0 {
				next = "Open the address on your own computer after running " + oauthlistener.SSHTunnelCommand(port, sshHost) + " there, or paste the redirected address back."
			}
			return result(IDBrowser, Warn, "No browser will be opened: "+nb.Detail+".", next)
		}
		return result(IDBrowser, Warn, "No browser will be opened: "+err.Error()+".", next)
	}
	how := p.From
	if how == "" {
		how = "the system browser"
	}
	return result(IDBrowser, Pass, "A browser can be opened here (with "+how+").", "")
}

// CheckInstance reads the instance: it must exist, be valid (its
// authorization works) and be enabled. It also returns the instance for the
// checks that read it.
func CheckInstance(ctx context.Context, api API, id int64) (Result, *cloudelements.Instance) {
	if api == nil {
		return result(IDInstance, Skip, "Not checked: no secrets.", "Set "+flow.EnvUserSecret+" and "+flow.EnvOrgSecret+"."), nil
	}
	in, err := api.GetInstance(ctx, id)
	if err != nil {
		var ae *cloudelements.APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return result(IDInstance, Fail, fmt.Sprintf("There is no instance %d at this base URL%s.", id, requestID(ae)),
				"Check the instance id (cewiz create prints it) and the region."), nil
		}
		return errResult(IDInstance, err), nil
	}
	name := fmt.Sprintf("Instance %d", in.ID)
	if in.Name != "" {
		name += " “" + in.Name + "”"
	}
	switch {
	case in.Disabled:
		return result(IDInstance, Fail, name+" is disabled: it does not poll and sends no events.",
			"Enable it in the Cloud Elements console (Instances), or create it again with cewiz."), in
	case !in.Valid:
		return result(IDInstance, Fail, name+" is not valid: its DocuShare Flex authorization no longer works (revoked or expired).",
			"Authorize again: create the instance again with cewiz (or reauthorize it in the Cloud Elements console)."), in
	case in.Element.Key != "" && in.Element.Key != flow.ElementKey:
		return result(IDInstance, Warn, fmt.Sprintf("%s belongs to the element %s, not %s.", name, in.Element.Key, flow.ElementKey),
			"Check the instance id."), in
	}
	return result(IDInstance, Pass, name+" is valid and enabled.", ""), in
}

// CheckInstanceEvents: events must be on (eventsEnabled and
// event.notification.enabled) and have a callback URL.
func CheckInstanceEvents(in *cloudelements.Instance) Result {
	on, err := in.NotificationsEnabled()
	if err != nil {
		return result(IDInstanceEvents, Warn, "event.notification.enabled cannot be read: "+err.Error()+".",
			"Set event.notification.enabled to true in the instance's configuration.")
	}
	if !in.EventsEnabled || !on {
		return result(IDInstanceEvents, Fail, fmt.Sprintf("Events are off (eventsEnabled %t, event.notification.enabled %t): nothing is polled or sent.", in.EventsEnabled, on),
			"Turn events on in the instance's configuration (event.notification.enabled true), or create it again with --events.")
	}
	cb := strings.TrimSpace(in.Configuration[flow.KeyNotificationURL])
	if cb == "" {
		return result(IDInstanceEvents, Warn, "Events are on, but the instance has no event.notification.callback.url: notifications have nowhere to go.",
			"Set the notification callback URL (--notify-url when creating).")
	}
	warn, err := flow.CheckNotificationURL(cb)
	if err != nil {
		return result(IDInstanceEvents, Fail, "Events are on, but the notification URL is not usable: "+err.Error(),
			"Set event.notification.callback.url to an http(s) URL Cloud Elements can reach (https recommended).")
	}
	if warn != nil {
		return result(IDInstanceEvents, Warn, "Events are on and notifications go to "+hostOf(cb)+", but "+warn.Error()+".",
			"Use an https notification URL Cloud Elements can reach.")
	}
	return result(IDInstanceEvents, Pass, "Events are on and notifications go to "+hostOf(cb)+".", "")
}

// CheckVendorType: DocuShare Flex events are polled.
func CheckVendorType(in *cloudelements.Instance) Result {
	switch v := in.VendorType(); v {
	case flow.VendorTypePolling:
		return result(IDVendorType, Pass, "event.vendor.type is polling.", "")
	case "":
		return result(IDVendorType, Fail, "event.vendor.type is not set, so nothing polls DocuShare Flex.",
			"Set event.vendor.type to polling (cewiz always sends it).")
	default:
		return result(IDVendorType, Fail, fmt.Sprintf("event.vendor.type is %q, not polling: DocuShare Flex events are only found by polling.", v),
			"Set event.vendor.type to polling, or create the instance again with cewiz.")
	}
}

// CheckInterval: event.poller.refresh_interval is a number of minutes in range.
func CheckInterval(in *cloudelements.Instance) Result {
	raw, set := in.Configuration[flow.KeyRefreshInterval]
	if !set || strings.TrimSpace(raw) == "" {
		return result(IDInterval, Warn, "event.poller.refresh_interval is not set (the element's default applies).",
			fmt.Sprintf("Set it explicitly (--refresh-interval, default %d minutes).", flow.DefaultRefreshInterval))
	}
	n, err := in.RefreshInterval()
	if err != nil {
		return result(IDInterval, Fail, fmt.Sprintf("event.poller.refresh_interval %q is not a whole number of minutes.", raw),
			fmt.Sprintf("Set it to a number of minutes between %d and %d.", flow.MinRefreshInterval, flow.MaxRefreshInterval))
	}
	if err := flow.CheckRefreshInterval(n); err != nil {
		return result(IDInterval, Fail, err.Error()+".", fmt.Sprintf("Set it between %d and %d minutes.", flow.MinRefreshInterval, flow.MaxRefreshInterval))
	}
	unit := "minutes"
	if n == 1 {
		unit = "minute"
	}
	if n > 60 {
		return result(IDInterval, Warn, fmt.Sprintf("Polls every %d %s: a change can take that long to become an event.", n, unit),
			"Lower --refresh-interval if events must arrive sooner.")
	}
	return result(IDInterval, Pass, fmt.Sprintf("Polls every %d %s.", n, unit), "")
}

// CheckPoller: event.poller.configuration parses, and each resource's url,
// idField and date fields and formats are valid.
func CheckPoller(in *cloudelements.Instance) Result {
	p, err := in.PollerConfig()
	if err != nil {
		return result(IDPoller, Fail, err.Error()+".",
			"Replace it with a valid JSON object (cewiz export --poll events prints one) in the instance's configuration.")
	}
	if len(p) == 0 {
		return result(IDPoller, Pass, "Not set: the element's default poller configuration applies.", "")
	}
	if err := p.Validate(); err != nil {
		return result(IDPoller, Fail, "event.poller.configuration: "+err.Error(),
			"Fix that field: date formats are Java patterns such as yyyy-MM-dd'T'HH:mm:ss'Z', or milliseconds.")
	}
	var noDates []string
	for _, r := range p {
		if r.DatesConfiguration == nil || (r.DatesConfiguration.UpdatedDateField == "" && r.DatesConfiguration.CreatedDateField == "") {
			noDates = append(noDates, r.Name)
		}
	}
	names := strings.Join(p.Names(), ", ")
	if len(noDates) > 0 {
		return result(IDPoller, Warn, fmt.Sprintf("Polls %s, but %s has no date fields: changes cannot be told apart from old records.", names, strings.Join(noDates, ", ")),
			"Add datesConfiguration (updatedDateField/Format, createdDateField/Format) to each resource.")
	}
	return result(IDPoller, Pass, fmt.Sprintf("Polls %s; the date fields and formats are valid.", names), "")
}

// CheckEventLog reads the instance's event log the one way cewiz reads it
// (events.ReadLog, events.Summarize: sorted by eventDate, counted by status,
// an event stuck when it has stayed NEW or RECEIVED longer than a couple of
// polling intervals) and reports the counts and the last events with their
// statuses. The public record has no failure status: any other status is
// counted, not judged. in is the instance (its refresh interval and creation
// date), or nil; token is the instance token from the saved summary (zero
// when none), used only if the log is refused without it.
func CheckEventLog(ctx context.Context, api API, id int64, in *cloudelements.Instance, token flow.Secret, now time.Time) Result {
	if api == nil {
		return result(IDEventLog, Skip, "Not checked: no secrets.", "")
	}
	interval := events.IntervalOf(in)
	evs, err := events.ReadLog(ctx, api, id, token)
	if err != nil {
		var ae *cloudelements.APIError
		if errors.As(err, &ae) && ae.Status == http.StatusForbidden {
			return result(IDEventLog, Fail, "The event log is refused (403): the instance is disabled"+requestID(ae)+".",
				"Enable the instance in the Cloud Elements console.")
		}
		return errResult(IDEventLog, err)
	}
	log := events.Summarize(evs, interval, now)
	if len(log.Events) == 0 {
		if in != nil {
			if c := in.Created(); !c.IsZero() && now.Sub(c) < log.StuckAfter {
				return result(IDEventLog, Pass, fmt.Sprintf("No events yet: the instance is new and polls every %s.", events.Minutes(interval)), "")
			}
		}
		return result(IDEventLog, Warn, "No events recorded yet.",
			"Change a document in DocuShare Flex and wait one polling interval; if none appear, check the poller configuration's url and date fields.")
	}
	summary := fmt.Sprintf("%d recent events: %s", len(log.Events), log.CountsText())
	if stuck, oldest := log.StuckCount(); stuck > 0 {
		return result(IDEventLog, Warn, fmt.Sprintf("%s; %d still NEW or RECEIVED after more than %s (%d polling intervals), the oldest event %s from %s; %s.",
			summary, stuck, events.Minutes(log.StuckAfter), events.StuckIntervals, oldest.ID, oldest.EventDate, lastEvents(log)),
			"Check that the notification URL is reachable from the internet and answers 2xx quickly, and the instance's event log in the Cloud Elements console (cewiz events watch --instance "+strconv.FormatInt(id, 10)+" shows it).")
	}
	last := ""
	if newest := log.Events[len(log.Events)-1]; newest.EventDate != "" {
		last = "; the newest at " + newest.EventDate
	}
	return result(IDEventLog, Pass, summary+last+"; "+lastEvents(log)+".", "")
}

// lastEvents names the last few events, newest first, with their statuses
// (and the object, when providerData says).
func lastEvents(log events.Log) string {
	last := log.Last(3)
	parts := make([]string, 0, len(last))
	for i := len(last) - 1; i >= 0; i-- {
		e := last[i]
		p := e.ID + " " + e.Status
		if o := events.ObjectOf(e); o.ObjectType != "" || o.EventType != "" {
			p += " (" + o.Text() + ")"
		}
		parts = append(parts, p)
	}
	return "last events, newest first: " + strings.Join(parts, ", ")
}

// CheckNotificationDelivery listens on addr (--listen-events) for at most
// wait and reports whether a notification, for instance id when it is not
// 0, arrived: accepted (and how its signature was checked), refused (why:
// a wrong signature, not a notification...), or none at all.
func CheckNotificationDelivery(ctx context.Context, w NotificationWaiter, addr string, id int64, wait time.Duration) Result {
	if w == nil {
		return result(IDNotifyDelivery, Skip, "Not checked here.", "")
	}
	whose := "A notification"
	if id != 0 {
		whose = fmt.Sprintf("A notification for instance %d", id)
	}
	start := time.Now()
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	d, err := w.WaitNotification(wctx, addr, id)
	took := time.Since(start).Round(100 * time.Millisecond)
	switch {
	case err == nil && d.Accepted():
		var how string
		switch s := d.SignatureOutcome(); s {
		case "unverified":
			how = "signed, not checked: set " + flow.EnvSignatureKey + " to check it"
		case "none":
			how = "unsigned"
		default:
			how = "signature " + s + " verified"
		}
		return result(IDNotifyDelivery, Pass, fmt.Sprintf("%s reached %s after %s (event %s, %s).", whose, addr, took, d.Notification.EventID, how), "")
	case d.Err != nil:
		next := "Check the sender: the notification URL must point at this receiver, unchanged on the way."
		if events.IsSignatureError(d.Err) {
			next = "Set " + flow.EnvSignatureKey + " to the instance's event.notification.signature.key (its summary file holds it)."
		}
		return result(IDNotifyDelivery, Fail, fmt.Sprintf("A notification reached %s but was refused (%d): %v.", addr, d.Status, d.Err), next)
	case ctx.Err() != nil:
		// The caller stopped the run (Ctrl-C, or its budget ran out; the
		// runner tells which). wctx, derived from ctx, ended with it.
		return result(IDNotifyDelivery, Skip, "Canceled.", "")
	case errors.Is(err, context.DeadlineExceeded):
		return result(IDNotifyDelivery, Fail, fmt.Sprintf("No notification reached %s within %s.", addr, wait),
			"Point the instance's notification URL at this receiver (from the internet: a tunnel to "+addr+"), change a document in DocuShare Flex, and wait one polling interval; --listen-wait waits longer.")
	}
	return result(IDNotifyDelivery, Fail, fmt.Sprintf("Cannot listen on %s: %v.", addr, err), "Give --listen-events a free HOST:PORT on this machine.")
}

// parseInstanceID reads an --instance value.
func ParseInstanceID(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("the instance id must be a positive number (as cewiz create prints it), not %q", s)
	}
	return n, nil
}
