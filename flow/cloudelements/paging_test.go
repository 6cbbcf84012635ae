package cloudelements_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/cloudelements/sandbox"
)

// GET /instances is paginated: ListInstances returns one page and its
// token; InstancesNamed follows them and keeps the exact name only.
func TestInstancesNamedFollowsPages(t *testing.T) {
	e := newEnvWith(t, sandbox.Options{MaxPageSize: 2})
	for _, n := range []string{"twin", "twins", "other", "Twin", "twin", "x-twin", "twin"} {
		e.create(n)
	}
	page, err := e.c.ListInstances(ctx, cloudelements.InstanceQuery{PageSize: 200})
	if err != nil || len(page.Instances) != 2 || page.NextPage == "" {
		t.Fatalf("first page %d instances, next %q, %v", len(page.Instances), page.NextPage, err)
	}
	second, err := e.c.ListInstances(ctx, cloudelements.InstanceQuery{NextPage: page.NextPage})
	if err != nil || len(second.Instances) != 2 || second.Instances[0].ID <= page.Instances[1].ID {
		t.Fatalf("second page %+v %v", second, err)
	}
	e.srv.ResetCounts()
	twins, err := e.c.InstancesNamed(ctx, "twin")
	if err != nil || len(twins) != 3 {
		t.Fatalf("%d instances named twin, want 3 (names are not unique): %v", len(twins), err)
	}
	for _, in := range twins {
		if in.Name != "twin" {
			t.Fatalf("%q is not exactly twin", in.Name)
		}
	}
	if n := e.srv.Count(sandbox.RouteListInstances); n < 3 {
		t.Fatalf("%d list requests: the pages were not followed", n)
	}
	if none, err := e.c.InstancesNamed(ctx, "nobody"); err != nil || len(none) != 0 {
		t.Fatalf("nobody: %v %v", none, err)
	}
}

// A server that keeps sending the same token cannot keep the lookup going.
func TestInstancesNamedStopsOnARepeatedToken(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set(cloudelements.NextPageHeader, "same")
		w.Write([]byte(`[{"id":1,"name":"a"}]`))
	}))
	defer srv.Close()
	c, _ := cloudelements.New(srv.URL, flow.NewSecret("u"), flow.NewSecret("o"), cloudelements.WithRetry(fastRetry))
	list, err := c.InstancesNamed(ctx, "a")
	if err != nil || n.Load() != 2 || len(list) != 2 {
		t.Fatalf("%d requests, %d found, %v", n.Load(), len(list), err)
	}
}

// After an ambiguous create the instance is found on whatever page it is.
func TestAmbiguousCreateFoundOnALaterPage(t *testing.T) {
	e := newEnvWith(t, sandbox.Options{MaxPageSize: 1})
	for range 3 {
		e.create("mine") // older instances of the same name, then ours
	}
	e.srv.ResetCounts()
	e.fault(sandbox.RouteCreateInstance, sandbox.Fault{After: true, Status: 504})
	in, err := e.c.CreateInstance(ctx, body("mine", e.authorize(callback)))
	if err != nil {
		t.Fatalf("not recovered: %v", err)
	}
	newest := e.srv.Instances()[len(e.srv.Instances())-1]
	if !in.Recovered || in.ID != newest.ID {
		t.Fatalf("found %d (recovered %v), want the newest %d", in.ID, in.Recovered, newest.ID)
	}
	if n := e.srv.Count(sandbox.RouteListInstances); n < 4 {
		t.Fatalf("%d list requests, want every page read", n)
	}
	if n := e.srv.Count(sandbox.RouteCreateInstance); n != 1 {
		t.Fatalf("POST sent %d times", n)
	}
}

// A grant code the provider refused comes back as 502: an answer, not an
// ambiguous failure. No lookup, no retry, and the user authorizes again.
func TestRefusedCodeAs502IsNotAmbiguous(t *testing.T) {
	e := newEnv(t)
	e.srv.ResetCounts()
	e.fault(sandbox.RouteCreateInstance, sandbox.Fault{Status: 502, Message: sandbox.MsgProviderFailure, ProviderMessage: sandbox.ProviderInvalidGrant})
	_, err := e.c.CreateInstance(ctx, body("refused", e.authorize(callback)))
	if errors.Is(err, cloudelements.ErrOutcomeUnknown) || !isCodeRejected(err) || !contains(cloudelements.Hint(err), "authorize again") {
		t.Fatalf("got %v (hint %q)", err, cloudelements.Hint(err))
	}
	if n := e.srv.Count(sandbox.RouteCreateInstance); n != 1 {
		t.Fatalf("POST sent %d times", n)
	}
	if n := e.srv.Count(sandbox.RouteListInstances); n != 0 {
		t.Fatalf("%d lookups after a refused code", n)
	}
}

// The configuration answer is an object in the public record; a bare
// array is still read.
func TestElementConfigurationShapes(t *testing.T) {
	for name, answer := range map[string]string{
		"object": `{"configuration":[{"key":"event.poller.configuration","defaultValue":"{\"events\":{\"url\":\"/hubs/documents/events\",\"idField\":\"id\"}}"}],"providerData":[]}`,
		"array":  `[{"key":"event.poller.configuration","defaultValue":"{\"events\":{\"url\":\"/hubs/documents/events\",\"idField\":\"id\"}}"}]`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(answer)) }))
			defer srv.Close()
			c, _ := cloudelements.New(srv.URL, flow.NewSecret("u"), flow.NewSecret("o"), cloudelements.WithRetry(fastRetry))
			p, err := c.ElementPollerDefaults(ctx)
			if err != nil || strings.Join(p.Names(), ",") != "events" {
				t.Fatalf("%v %v", p.Names(), err)
			}
		})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"other":1}`)) }))
	defer srv.Close()
	c, _ := cloudelements.New(srv.URL, flow.NewSecret("u"), flow.NewSecret("o"), cloudelements.WithRetry(fastRetry))
	if _, err := c.ElementConfiguration(ctx); netErr(t, err).Kind != cloudelements.NetProtocol {
		t.Fatalf("an object without configuration: %v", err)
	}
}
