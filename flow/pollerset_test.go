package flow

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestPollerSetActsAsWithAndWithout: any sequence of Put, Remove and At
// leaves the set holding what the same sequence of With and Without gives,
// in the same order.
func TestPollerSetActsAsWithAndWithout(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for run := 0; run < 50; run++ {
		var want PollerConfig
		var s PollerSet
		names := 5 + rng.IntN(200)
		for op := 0; op < 2000; op++ {
			name := fmt.Sprintf("r%d", rng.IntN(names))
			switch rng.IntN(5) {
			case 0, 1, 2:
				r := PollResource{Name: name, URL: fmt.Sprintf("/hubs/documents/%s/%d", name, op), PageSize: ptr(op),
					DatesConfiguration: &DatesConfiguration{UpdatedDateField: "modifiedDate"}}
				want = want.With(r)
				s.Put(r)
			case 3:
				want = want.Without(name)
				s.Remove(name)
			case 4:
				if s.Len() > 0 {
					i := rng.IntN(s.Len())
					if got := s.At(i); !reflect.DeepEqual(got, want[i]) {
						t.Fatalf("run %d op %d: At(%d) = %+v, want %+v", run, op, i, got, want[i])
					}
				}
			}
			if s.Len() != len(want) {
				t.Fatalf("run %d op %d: Len = %d, want %d", run, op, s.Len(), len(want))
			}
			if _, ok := want.Get(name); ok != s.Has(name) {
				t.Fatalf("run %d op %d: Has(%q) = %v", run, op, name, s.Has(name))
			}
		}
		if got := s.Config(); !reflect.DeepEqual(got, want) && len(want) > 0 {
			t.Fatalf("run %d: Config =\n%v\nwant\n%v", run, got.Names(), want.Names())
		}
		if !reflect.DeepEqual(s.Names(), want.Names()) {
			t.Fatalf("run %d: Names = %v, want %v", run, s.Names(), want.Names())
		}
	}
}

func TestPollerSetKeepsCopies(t *testing.T) {
	p := PollingPresets()
	s := NewPollerSet(p)
	p[0].DatesConfiguration.UpdatedDateField = "changed"
	if r, _ := s.Get("events"); r.DatesConfiguration.UpdatedDateField != "modifiedDate" {
		t.Fatal("the set shares the configuration it was made from")
	}
	c := s.Config()
	c[0].DatesConfiguration.UpdatedDateField = "changed again"
	if r, _ := s.Get("events"); r.DatesConfiguration.UpdatedDateField != "modifiedDate" {
		t.Fatal("Config shares the set's resources")
	}
	var empty PollerSet
	if empty.Config() != nil || empty.Len() != 0 || empty.Has("events") {
		t.Fatal("the zero set is not empty")
	}
	s.Clear()
	if s.Len() != 0 || s.Config() != nil {
		t.Fatal("Clear left resources")
	}
}

func ptr[T any](v T) *T { return &v }

// BenchmarkPollerSetTickAll adds 5,000 resources one by one, then removes
// them one by one: linear (With and Without, copying the whole
// configuration each time, were quadratic).
func BenchmarkPollerSetTickAll(b *testing.B) {
	rs := make([]PollResource, 5000)
	for i := range rs {
		rs[i] = PollResource{Name: fmt.Sprintf("res-%04d", i), URL: "/hubs/documents/x", IDField: "id",
			DatesConfiguration: &DatesConfiguration{UpdatedDateField: "modifiedDate"}}
	}
	b.ReportAllocs()
	for b.Loop() {
		var s PollerSet
		for _, r := range rs {
			s.Put(r)
		}
		for _, r := range rs {
			s.Remove(r.Name)
		}
	}
}
