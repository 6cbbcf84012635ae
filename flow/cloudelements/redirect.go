package cloudelements

import (
	"fmt"
	"net/http"
)

// RedirectError is an API call answered with a redirect (3xx). The client
// never follows one: every call carries the User and Organization secrets,
// oauth/url the Application Secret and POST /instances the grant code, and
// a redirect would send them to whatever address it names (plain http
// included). Its text names the Location's host, never its path or query.
type RedirectError struct {
	// Op is the method and path, e.g. "POST /instances".
	Op     string
	Status int
	// Scheme and Host are where the Location points (Host with its port),
	// both "" when the answer named no usable Location.
	Scheme, Host string
}

func (e *RedirectError) Error() string {
	where := "with no Location"
	if e.Host != "" {
		where = "to " + e.Scheme + "://" + e.Host
	}
	return fmt.Sprintf("%s: %d %s %s; cewiz does not follow redirects of API calls, which carry the secrets",
		e.Op, e.Status, http.StatusText(e.Status), where)
}

// Hint is the user's next step.
func (e *RedirectError) Hint() string {
	return "Check the base URL or region: Cloud Elements answers API calls at its own address without redirecting. " +
		"If a proxy redirects them, bypass it; give the redirect's address as --base-url only if you know it is Cloud Elements."
}

// redirectErr is the error for a 3xx answer: where its Location points
// (resolved against the request's URL), without path or query.
func redirectErr(r request, resp *http.Response) *RedirectError {
	e := &RedirectError{Op: r.op(), Status: resp.StatusCode}
	if loc, err := resp.Location(); err == nil && loc.Host != "" {
		e.Scheme, e.Host = clip(loc.Scheme), clip(loc.Host)
	}
	return e
}

// noRedirects is the CheckRedirect of every API call: the 3xx answer
// itself comes back, and attempt turns it into a *RedirectError.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
