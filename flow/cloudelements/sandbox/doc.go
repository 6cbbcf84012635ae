// Package sandbox is an in-process emulator of the parts of the Cloud
// Elements API that cewiz uses, plus a DocuShare Flex consent page, so that
// `cewiz --sandbox` runs the whole journey with no account and no network,
// and so that tests exercise real HTTP.
//
// It is written from the project's API page (cloud-elements-api.md) and the
// public record that page cites, and is deliberately independent of the
// client: it imports nothing from package flow or package cloudelements, only
// the standard library. If it reused the client's body or validation code, a
// mistake there would be mirrored here and every test would still pass.
//
// # Routes
//
// Under /elements/api-v2, with the header
// "Authorization: User <secret>, Organization <secret>" (anything else: 401):
//
//	GET    /elements/{key}                 the element, with configuration[] entries
//	GET    /elements/{key}/configuration   {"configuration": [...], "providerData": [...]}
//	GET    /elements/{id}/metadata         by numeric id only; a key gets 404
//	GET    /elements/{key}/oauth/url       ?apiKey&apiSecret&callbackUrl&siteAddress&state
//	POST   /elements/{key}/oauth/url       the same fields in a JSON body
//	POST   /instances                      create (200 with the instance)
//	GET    /instances                      list: ?pageSize&nextPage&searchText
//	GET    /instances/{id}                 one instance
//	DELETE /instances/{id}                 delete
//	GET    /instances/{id}/events          the instance's event log
//
// {key} is docushareflex (or its id, 5127). Errors have the real shape
// {"requestId","message","providerMessage"} and the statuses of the API
// page §6.
//
// # Where each behaviour comes from
//
// Repositories are GitHub repositories; "the platform swagger" is the
// swagger-generated Cloud Elements platform SDK in
// rrothenb/serverless-cloud-elements-plugin, platformSDK.ts; "churros" is
// Cloud Elements' public API test suite (varunpal72/churros, and the
// PriyaKachhawal-GSLab/churros fork for DocuShare Flex).
//
//   - The element configuration is an object {"configuration": [...],
//     "providerData": [...]}: the platform swagger's getElementsConfiguration
//     returns ElementConfigs; churros
//     src/test/platform/elements/assets/element.configurations.schema.json is
//     an object whose configuration is an array.
//   - Metadata by numeric element id only: the platform swagger's
//     getElementsMetadata(id: number) on /elements/{id}/metadata; churros
//     src/test/platform/elements/metadata.js reads the id from
//     GET /elements/{key} first, and expects 404 for an unknown id. Its
//     events.polling maps a resource to {eventTypes, pollUrl} (the swagger's
//     EventResourceMetadata).
//   - Instance names are not unique, no 409 for a name: churros
//     src/test/platform/elements/instances.js creates every instance as
//     "churros-instance"; the API page §6 records 409 as a generic
//     "already exists".
//   - GET /instances takes tags[], searchText, nextPage, pageSize (the
//     platform swagger's getInstancesParameters). The next page's token is in
//     the response header Elements-Next-Page-Token, passed back as nextPage
//     (docs.cloud-elements.com/home/elements-api-reference: "The next page
//     token. Found in the header of the previous search", pageSize default
//     and maximum 200; churros src/core/suite.js reads
//     headers['elements-next-page-token']). Not published, so chosen here:
//     the header is sent only when there is a next page; pageSize above
//     Options.MaxPageSize (default 200) is capped; searchText matches names
//     containing it, ignoring case.
//   - oauth.api.key is masked like oauth.api.secret in an instance's
//     configuration: churros src/test/platform/elements/instances.js expects
//     both to be "********".
//   - The event log: the platform swagger's Event {id (a string), eventDate,
//     status, providerData (a string), notifiedData (an array)}; statuses NEW,
//     RECEIVED, DISPATCHED, CONSUMED, NOTIFIED and no failure status (API
//     page §9); getInstancesEvents2 takes no query parameter, so none is
//     read. The order is not published: the log is answered oldest first and
//     a client must sort by eventDate. providerData holds the object's type
//     and id and the kind of change, an illustration (its content for
//     DocuShare Flex is not published).
//   - A provider failure is 502 "Endpoint provider was not able to perform a
//     CRUD request" (API page §9; the devportal's normalized error-code
//     table, cloud-elements/devportal _includes/error-codes.md, "502 Failed
//     Request"): a grant code refused that way is Fault{Status: 502,
//     Message: MsgProviderFailure, ProviderMessage: ProviderInvalidGrant}.
//   - No https-only rule for event.notification.callback.url: the devportal's
//     own examples use http:// (cloud-elements/devportal
//     docs/elements/egnyte/events.md, "http://mycoolapp.com").
//   - A poller resource may have an empty idField and a name with '/':
//     cloud-elements/devportal docs/elements/google-calendar/events.md polls
//     "calendars/primary/changed-events" with "idField": "" (and
//     docs/elements/chargebee/events.md has an empty idField too).
//   - The element's default event.poller.configuration is a JSON string in
//     the configuration entry's defaultValue with literal \n and \t
//     artefacts and numbers as strings (API page §8). DocuShare Flex's real
//     default is not published: this one polls events (the seed's resource,
//     docs.cloud-elements.com/home/docushareflex-events) and
//     /hubs/documents/folders/contents?path=/ (a call churros makes in
//     PriyaKachhawal-GSLab/churros src/test/elements/docushareflex/folders.js).
//     Neither /hubs/documents/files (needs ?path=, returns one file: the same
//     suite's files.js) nor /hubs/documents/folders (no GET) is offered.
//   - siteAddress: documented only as siteAddress=<url>
//     (docs.cloud-elements.com docushareflex-authenticate; cloud-elements/devportal
//     docs/elements/box/authenticate.md and
//     _includes/Elements/dropbox/authenticate.md). Public callers send both forms
//     (cloud-elements/sample-app-ui LoginCard.jsx sends a bare name; the
//     devportal's _archive/magento/magento-create-instance.md sends
//     https://…). Which one DocuShare
//     Flex wants is not published, so Options.SiteAddressURL picks the form
//     the sandbox expects: the bare host by default, or https://host. Given
//     the other form, oauth/url answers the address a service expecting the
//     first would build: https://https://host/… for a URL where a host was
//     expected, host/… (no scheme) for a host where a URL was expected.
//
// # Consent page
//
// The oauthUrl answered by oauth/url points at the sandbox's own DocuShare
// Flex consent page:
//
//	GET  /docushareflex/oauth/authorize?response_type=code&client_id=..&redirect_uri=..&state=..&site=..
//
// It is plain, self-contained HTML showing the site and the Application ID,
// with Allow and Deny buttons. Each is a form that POSTs to the same path
// with the same fields plus decision=allow or decision=deny. Allow answers
// 303 to redirect_uri?code=..&state=..; Deny answers 303 to
// redirect_uri?error=access_denied&state=... Scripts can skip the page:
// GET the oauthUrl with &decision=allow (or deny) added answers 302 with the
// same Location, e.g.
//
//	curl -s -o /dev/null -w '%{redirect_url}\n' "$OAUTH_URL&decision=allow"
//
// A code is single-use, expires after Options.CodeTTL (10 minutes by
// default), and is bound to the redirect_uri, site and Application ID it was
// issued for: POST /instances must carry oauth.callback.url equal to that
// redirect_uri byte for byte, docushare.domain equal to the site,
// oauth.api.key equal to the Application ID, and the Application Secret. A
// code is spent by the first create that gets as far as exchanging it: a
// body that fails validation (400) leaves the code usable. A reused, expired
// or mismatched code gets 400 with "invalid_grant" in providerMessage; a
// wrong Application Secret gets 400 with "invalid_client".
//
// POST /instances also checks: the element key, a non-empty name (not
// unique), the required configuration keys (oauth.api.key,
// oauth.api.secret, oauth.callback.url, docushare.domain as strings),
// docushare.domain of the form <company>.docushareflex.com (bare host),
// event.notification.enabled a boolean or "true"/"false",
// event.poller.refresh_interval whole minutes 1-1440 as a string or a
// number, event.vendor.type "polling", event.notification.callback.url an
// absolute http(s) URL (required when events are on), and
// event.poller.configuration an object (or a JSON string holding one) of
// resources with a url and a string idField. Success is 200 with the
// instance: configuration values as strings, oauth.api.key and
// oauth.api.secret "********", the poller configuration as a JSON string
// (the element's default when none was sent), a random token, and, when
// events are on and the rehearsal is off, a few events in the log.
//
// # Events: a rehearsal of the chain
//
// With Options.PollEvery set (`cewiz sandbox --poll-every 1s`, and the
// wizard's --sandbox), the sandbox plays what happens after create: every
// PollEvery a fake DocuShare Flex site creates, updates or deletes one
// document, and for each valid, enabled instance with events on (Tick):
//
//   - the change is found, newer than the instance's last poll, through the
//     resource the instance polls (events when its poller configuration has
//     it, else its first resource; none when the configuration does not
//     parse), and recorded in its event log as NEW, with providerData naming
//     the object;
//   - each event then moves one status per tick through the record's
//     statuses only: NEW → RECEIVED → DISPATCHED → CONSUMED → NOTIFIED (the
//     platform swagger's Event; churros
//     src/test/platform/events/assets/event.schema.json). What each status
//     means inside Cloud Elements is not published; here NOTIFIED is set
//     when the callback URL answered 2xx, and an event whose notification
//     keeps failing stays CONSUMED after MaxNotifyAttempts tries (the
//     record's retry policy tries up to 9 times: devportal
//     docs/platform/event-management/additional-info.md);
//   - the notification is POSTed to event.notification.callback.url in Cloud
//     Elements' payload shape, {"message": {"eventId", "instanceId",
//     "elementKey", "events": [{"objectType", "objectId", "eventType",
//     "elementKey"}], "raw"}} (cloud-elements-api.md §10; churros
//     src/test/platform/events/events.js reads message.eventId), with
//     Content-Type application/json, an Elements-Webhook-Id that stays the
//     same across retries, and, when event.notification.signature.key is
//     set, Elements-Webhook-Signature: sha256=<base64 HMAC-SHA256(key, raw
//     body)> (devportal docs/platform/event-management/security.md, "Event
//     Management - Security"; the same churros test). eventId is the event
//     log's id, so a receiver can find the event in the log.
//
// Demo notifications go to loopback addresses only (127.0.0.1, [::1],
// localhost): a URL elsewhere, such as the demo https://example.com/…, is
// never sent anything and its events stay CONSUMED. Each notification is
// logged (Options.Log) with its URL without the query. The instances'
// event.poller.refresh_interval (minutes) is not waited for. With the
// rehearsal on, a new instance starts with an empty log; without it, a new
// instance with events on gets a few seeded events, one per status but
// the last, so the doctor has something to read.
//
// # Go API for tests
//
// Instances, Instance, SetDisabled, SetValid, SetEventsEnabled,
// SetConfiguration (e.g. a broken poller configuration), AddEvents, Tick
// (one round of the rehearsal) and IssueCode (a code as if Allow had been
// clicked) let tests arrange and inspect state; Options.Now and Options.CodeTTL control code expiry,
// Options.MaxPageSize the pages of GET /instances, Options.SiteAddressURL the
// siteAddress form.
//
// # Fault injection
//
// Tests use the Go API: InjectFault(route, Fault) makes the next Count
// requests to a route (a Route* constant such as RouteCreateInstance, or "*"
// for every route) answer with a status (and message and providerMessage),
// wait, or drop the connection, before the handler runs or (Fault.After)
// after it has run and changed the state, which is how an ambiguous create
// is produced. Count(route) tells how many requests reached a route.
//
// `cewiz sandbox` (Run) also serves an admin endpoint, answered only to
// clients on the loopback interface (404 for anyone else):
//
//	POST   /__sandbox/faults   {"route":"POST /instances","count":1,"status":502,
//	                            "message":"...","providerMessage":"...",
//	                            "delay":"2s","drop":false,"after":false,"retryAfter":"1"}
//	GET    /__sandbox/faults   the faults still pending
//	DELETE /__sandbox/faults   remove all faults
//	GET    /__sandbox/counts   {"POST /instances": 3, ...}
//
// The sandbox is safe for concurrent use and keeps all state in memory.
package sandbox
