package oauthlistener_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cewiz/cewiz/oauthlistener"
)

// The whole flow as the create command drives it: start the listener before
// asking for the authorization URL, open the browser (here a plain HTTP
// client plays the browser), wait, and map the errors.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	l, err := oauthlistener.Start(ctx, oauthlistener.Options{Addr: "127.0.0.1:0"}) // the default is 127.0.0.1:23949
	if err != nil {
		var pe *oauthlistener.PortUnavailableError
		switch {
		case errors.Is(err, oauthlistener.ErrAlreadyWaiting):
			fmt.Println(err) // another authorization is waiting on port P ...
		case errors.As(err, &pe):
			fmt.Println(pe.Error()) // which port, why, what to do
		}
		return
	}
	defer l.Close()

	// Ask the provider (Cloud Elements' oauth/url) for the authorization URL
	// with callbackUrl = l.RedirectURI() and state = l.State(), then:
	//   err := oauthlistener.NewLauncher().Open(authURL)
	// and print authURL in every case, with err when no browser opened and,
	// over SSH, oauthlistener.SSHTunnelCommand(l.Port(), oauthlistener.SSHHost(nil)).
	go func() { // the browser, redirected by the provider
		resp, err := http.Get(l.RedirectURI() + "?code=the-code&state=" + l.State())
		if err == nil {
			resp.Body.Close()
		}
	}()

	res, err := l.Wait(ctx)
	var pe *oauthlistener.ProviderError
	switch {
	case err == nil:
		fmt.Println("code:", res.Code) // masked when printed
		fmt.Println("len:", len(res.Code.Reveal()))
	case errors.As(err, &pe):
		fmt.Println("refused:", pe.Code, pe.Description)
	case errors.Is(err, oauthlistener.ErrTimeout):
		for _, t := range l.Diagnose() {
			fmt.Println(t)
		}
	case errors.Is(err, oauthlistener.ErrCanceled):
		fmt.Println("canceled")
	}
	// Output:
	// code: ********
	// len: 8
}
