package cloudelements

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow"
)

// FuzzInstanceDecode: whatever Cloud Elements (or a proxy) answers, tolerant
// parsing never panics, and an instance it accepts re-encodes (MaskedJSON,
// what `cewiz create --json` prints) to the same fields with its secrets
// masked: every key that reads as the token, and every configuration value
// whose key names a secret, token or password, is flow.Mask; decoding the
// masked JSON again gives the same instance but for those.
func FuzzInstanceDecode(f *testing.F) {
	f.Add([]byte(`{"id":1,"name":"n","token":"t","configuration":{"event.poller.configuration":"{\"a\":{\"url\":\"/x\",\"idField\":\"id\"}}"}}`))
	f.Add([]byte(`{"id":"7","valid":"true","tags":[1,true,null],"configuration":{"a":{"b":[1]},"c":1.5}}`))
	f.Add([]byte(`{"id":1e3,"createdDate":"x","element":{"id":"a"}}`))
	f.Add([]byte(`{"id":2,"token":"tok-1","configuration":{"oauth.api.secret":"s","oauth.user.refresh_token":"r","base.url":"u"}}`))
	f.Add([]byte(`{"Token":"tok-2","CONFIGURATION":{"Password":"p"}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var in Instance
		if json.Unmarshal(data, &in) != nil {
			return
		}
		_, _ = in.PollerConfig()
		_, _ = in.RefreshInterval()
		_, _ = in.NotificationsEnabled()
		_ = in.Created()
		var evs []Event
		_ = json.Unmarshal(data, &evs)
		var el Element
		_ = json.Unmarshal(data, &el)
		var md Metadata
		if json.Unmarshal(data, &md) == nil {
			_ = md.SupportsPolling()
		}

		out, err := in.MaskedJSON()
		if err != nil {
			t.Fatalf("an accepted instance cannot be re-encoded: %v", err)
		}
		// Masked: the re-encoding, read the way encoding/json matches keys
		// (case-insensitively), shows no token and no secret value.
		checkMasked(t, out)
		var back Instance
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("the re-encoding is not an instance: %v\n%s", err, out)
		}
		if dupFoldKeys(data) {
			return // {"name":…,"Name":…}: which one a decoder keeps is not defined
		}
		want := in
		want.raw, back.raw = nil, nil
		if !want.Token.IsZero() || !back.Token.IsZero() {
			want.Token = flow.NewSecret(flow.Mask)
		}
		if in.Configuration != nil {
			want.Configuration = map[string]string{}
			for k, v := range in.Configuration {
				if looksSecret(k) {
					v = flow.Mask
				}
				want.Configuration[k] = v
			}
		}
		if !reflect.DeepEqual(want, back) {
			t.Fatalf("the re-encoding changed the instance:\n%#v\n%#v\n%s", want, back, out)
		}
	})
}

// checkMasked fails when the JSON instance out holds a token or a secret
// configuration value that is not flow.Mask.
func checkMasked(t *testing.T, out []byte) {
	t.Helper()
	mask, _ := json.Marshal(flow.Mask)
	var m map[string]json.RawMessage
	if json.Unmarshal(out, &m) != nil {
		return
	}
	for k, v := range m {
		if strings.EqualFold(k, "token") && string(v) != string(mask) {
			t.Fatalf("%q is not masked: %s", k, out)
		}
		if !strings.EqualFold(k, "configuration") {
			continue
		}
		var c map[string]json.RawMessage
		if json.Unmarshal(v, &c) != nil {
			continue
		}
		for ck, cv := range c {
			if looksSecret(ck) && string(cv) != string(mask) {
				t.Fatalf("%s.%q is not masked: %s", k, ck, out)
			}
		}
	}
}

// dupFoldKeys reports whether the object data has two top-level keys that
// differ but match case-insensitively.
func dupFoldKeys(data []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return false
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i, a := range keys {
		for _, b := range keys[i+1:] {
			if strings.EqualFold(a, b) {
				return true
			}
		}
	}
	return false
}
