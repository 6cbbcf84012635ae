package cloudelements_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// The whole journey against the in-process sandbox, as `cewiz --sandbox`
// runs it: get the authorization URL, approve on the consent page, create.
func Example() {
	srv, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	c, err := cloudelements.New(srv.BaseURL(), flow.NewSecret(sandbox.DemoUserSecret), flow.NewSecret(sandbox.DemoOrgSecret))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	authURL, err := c.OAuthURL(ctx, cloudelements.OAuthRequest{
		APIKey: sandbox.DemoAppID, APISecret: flow.NewSecret(sandbox.DemoAppSecret),
		CallbackURL: "http://127.0.0.1:23949/callback", SiteAddress: "acme.docushareflex.com", State: "nonce",
	})
	if err != nil {
		panic(err)
	}

	// What the browser does when the user clicks Allow.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL + "&decision=allow")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))

	a := flow.NewAnswers()
	a.Name, a.Domain, a.APIKey = "docushareflex-acme", "acme.docushareflex.com", sandbox.DemoAppID
	a.NotificationURL = "https://example.com/events"
	a.Code = flow.NewSecret(back.Query().Get("code"))
	body := flow.BuildBody(a, flow.Secrets{APISecret: flow.NewSecret(sandbox.DemoAppSecret)}, flow.SecretsIncluded)

	in, err := c.CreateInstance(ctx, body)
	if err != nil {
		fmt.Println(err, "-", cloudelements.Hint(err))
		return
	}
	fmt.Println(in.Name, in.Token, in.Configuration[flow.KeyAPISecret], in.EventsEnabled)

	// The code is single-use: creating again with it is refused.
	body.Name = "again"
	_, err = c.CreateInstance(ctx, body)
	var ae *cloudelements.APIError
	fmt.Println(errors.As(err, &ae) && ae.CodeRejected(), "-", cloudelements.Hint(err))
	// Output:
	// docushareflex-acme ******** ******** true
	// true - Get a new code: authorize again, then create the instance again.
}
