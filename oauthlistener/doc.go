// Package oauthlistener catches an OAuth 2.0 authorization code on a
// temporary loopback listener (RFC 8252), parses a pasted redirect address or
// code, and launches the browser. It knows nothing of Cloud Elements and has
// no UI: every text it returns is meant to be shown as is.
//
// The rules it follows are in oauth-loopback.md (the project's shared notes);
// the main points:
//
//   - Start binds 127.0.0.1:23949 (DefaultAddr) before the authorization URL
//     is requested, and the same socket serves the callback. A "localhost"
//     address or redirect URI also binds [::1] on the same port. Port 0 is
//     allowed on request. A port that cannot be bound gives a
//     *PortUnavailableError (in use, reserved, permission) with advice, or
//     ErrAlreadyWaiting when another cewiz listener already waits there.
//   - Only GET on the exact callback path is a candidate; the Host header must
//     name the listener itself (else 421); a request with an Origin header or a
//     Sec-Fetch-Mode other than navigate is refused (403); no CORS headers.
//   - The state (256 random bits, base64url) is compared in constant time. A
//     missing or wrong state gets a generic 400 page and the listener keeps
//     waiting, so a forged request (including a forged ?error=) cannot end the
//     flow. ?error= with the right state ends it with a *ProviderError.
//   - The first valid callback wins and is answered with a 303 to /done, whose
//     self-contained page says what happened; the port is closed within a
//     second after that page is served. Later hits see "already completed".
//   - Wait returns ErrTimeout after Options.Timeout (default 5 minutes) and
//     ErrCanceled when its context (or Start's) ends or Close is called, within
//     a second, with the port free again. A hint fires after about 30 seconds
//     without a callback (Options.OnHint, Listener.Hint).
//   - The code is held in a Code, which prints as "********" in every format
//     (fmt, JSON, slog); the state is masked the same way in Params. Errors and
//     log records never carry the code, the state or the callback query.
//   - ParsePasted and Listener.Paste accept a whole redirected address (path
//     and state checked) or a bare code (to be confirmed by the user).
//   - Launcher opens the browser without blocking and without writing to
//     stdout, honours $BROWSER, never starts a text browser on its own, and
//     refuses (with the reason) over SSH, without a display or terminal, and on
//     WSL without wslview. SSHTunnelCommand gives the port-forwarding line.
//   - Diagnose lists the classic reasons a callback never arrives.
//
// PKCE (RFC 7636) is not used, deliberately. The authorization URL is not
// built here: Cloud Elements builds it (GET /elements/{key}/oauth/url, see
// cloud-elements-api.md §3) and later exchanges the code itself during
// POST /instances, whose body carries only providerData.code. Neither call has
// a field for a code_challenge or a code_verifier, so a challenge could not be
// added to the request and a verifier could not reach the token exchange;
// sending a challenge the exchange never answers would make the provider
// reject the code. The state parameter and the loopback-only, Host-checked
// listener are the protections that apply. If Cloud Elements ever carries a
// verifier, add it in the caller that builds the oauth/url request.
package oauthlistener
