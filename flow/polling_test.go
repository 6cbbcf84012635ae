package flow

import (
	"strings"
	"testing"
)

func TestDateFieldCandidates(t *testing.T) {
	def, err := ParsePollerText(`{"events":{"url":"/hubs/documents/events","idField":"id",
		"datesConfiguration":{"updatedDateField":"lastModified","createdDateField":"created"}},
		"folders":{"url":"/hubs/documents/folders/contents?path=/","idField":"id",
		"datesConfiguration":{"updatedDateField":"modifiedDate","createdDateField":"created"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	got := DateFieldCandidates(def)
	var fields []string
	for _, c := range got {
		fields = append(fields, c.Field)
	}
	// The element's own first, each once; then the documents-hub guesses.
	if want := "lastModified,created,modifiedDate,createdDate,event_date"; strings.Join(fields, ",") != want {
		t.Fatalf("candidates %s, want %s", strings.Join(fields, ","), want)
	}
	for _, c := range got {
		if c.Source == "" {
			t.Errorf("%s has no source", c.Field)
		}
		if own := c.Field == "lastModified" || c.Field == "created" || c.Field == "modifiedDate"; own != c.FromElement {
			t.Errorf("%s FromElement %v", c.Field, c.FromElement)
		}
	}
	// Offline, the guess is not presented as the element's.
	for _, c := range DateFieldCandidates(PollingPresets()) {
		if c.FromElement {
			t.Errorf("the offline guess's %s is marked as the element's", c.Field)
		}
	}
}

func TestPollResourceTolerantRead(t *testing.T) {
	p, err := ParsePollerText(`{"e":{"url":" /hubs/documents/events ","idField":"id","pageSize":"50","filterByUpdatedDate":"false","pollDelay":1.0}}`)
	if err != nil {
		t.Fatal(err)
	}
	r := p[0]
	if r.URL != "/hubs/documents/events" || *r.PageSize != 50 || *r.FilterByUpdatedDate || *r.PollDelay != 1 || len(r.Extra) != 0 {
		t.Fatalf("read %+v", r)
	}
	for in, want := range map[string]string{
		`{"e":{"url":5,"idField":"id"}}`:                           "url must be a string",
		`{"e":{"url":"/x","idField":["id"]}}`:                      "idField must be a string",
		`{"e":"/x"}`:                                               "JSON object",
		`{"e":{"url":"/x","idField":"id","datesConfiguration":1}}`: "datesConfiguration",
	} {
		if _, err := ParsePollerText(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}
