// Package sandbox is an in-process emulator of the parts of the Cloud
// Elements API that cewiz uses, plus a DocuShare Flex consent page, so that
// `cewiz --sandbox` runs the whole journey with no account and no network,
// and so that tests exercise real HTTP.
//
// It is written from the project's API page (cloud-elements-api.md) and is
// deliberately independent of the client: it imports nothing from
// package flow or package cloudelements, only the standard library. If it
// reused the client's body or validation code, a mistake there would be
// mirrored here and every test would still pass.
//
// # Routes
//
// Under /elements/api-v2, with the header
// "Authorization: User <secret>, Organization <secret>" (anything else: 401):
//
//	GET    /elements/{key}                 the element, with configuration[] entries
//	GET    /elements/{key}/configuration   the configuration entries
//	GET    /elements/{key}/metadata        events: {supported, methods: ["polling"], polling}
//	GET    /elements/{key}/oauth/url       ?apiKey&apiSecret&callbackUrl&siteAddress&state
//	POST   /elements/{key}/oauth/url       the same fields in a JSON body
//	POST   /instances                      create (200 with the instance)
//	GET    /instances                      list
//	GET    /instances/{id}                 one instance
//	DELETE /instances/{id}                 delete
//	GET    /instances/{id}/events          the instance's events (?status=, ?pageSize=)
//
// {key} is docushareflex (or its id, 5127). Errors have the real shape
// {"requestId","message","providerMessage"} and the statuses of the API
// page §6.
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
// body that fails validation (400) or a name already taken (409) leaves the
// code usable. A reused, expired or mismatched code gets 400 with
// "invalid_grant" in providerMessage; a wrong Application Secret gets 400
// with "invalid_client".
//
// POST /instances also checks: the element key, a non-empty name, the
// required configuration keys (oauth.api.key, oauth.api.secret,
// oauth.callback.url, docushare.domain as strings), docushare.domain of the
// form <company>.docushareflex.com (bare host), event.notification.enabled
// a boolean or "true"/"false", event.poller.refresh_interval whole minutes
// 1-1440 as a string or a number, event.vendor.type "polling",
// event.notification.callback.url an https URL (required when events are
// on), and event.poller.configuration an object (or a JSON string holding
// one) of resources with url and idField. Success is 200 with the instance:
// configuration values as strings, oauth.api.secret "********", the poller
// configuration as a JSON string (the element's default when none was
// sent), a random token, and, when events are on, a few events in the log.
//
// # Go API for tests
//
// Instances, Instance, SetDisabled, SetValid, SetEventsEnabled,
// SetConfiguration (e.g. a broken poller configuration), AddEvents and
// IssueCode (a code as if Allow had been clicked) let tests arrange and
// inspect state; Options.Now and Options.CodeTTL control code expiry.
//
// # Fault injection
//
// Tests use the Go API: InjectFault(route, Fault) makes the next Count
// requests to a route (a Route* constant such as RouteCreateInstance, or "*"
// for every route) answer with a status, wait, or drop the connection,
// before the handler runs or (Fault.After) after it has run and changed the
// state, which is how an ambiguous create is produced. Count(route) tells how
// many requests reached a route.
//
// `cewiz sandbox` (Run) also serves an admin endpoint, answered only to
// clients on the loopback interface (404 for anyone else):
//
//	POST   /__sandbox/faults   {"route":"POST /instances","count":1,"status":503,
//	                            "delay":"2s","drop":false,"after":false,"retryAfter":"1"}
//	GET    /__sandbox/faults   the faults still pending
//	DELETE /__sandbox/faults   remove all faults
//	GET    /__sandbox/counts   {"POST /instances": 3, ...}
//
// The sandbox is safe for concurrent use and keeps all state in memory.
package sandbox
