package cloudelements

import (
	"encoding/json"
	"testing"
)

// FuzzInstanceDecode: tolerant parsing never panics, whatever Cloud
// Elements (or a proxy) answers, and the helpers cope with what it kept.
func FuzzInstanceDecode(f *testing.F) {
	f.Add([]byte(`{"id":1,"name":"n","token":"t","configuration":{"event.poller.configuration":"{\"a\":{\"url\":\"/x\",\"idField\":\"id\"}}"}}`))
	f.Add([]byte(`{"id":"7","valid":"true","tags":[1,true,null],"configuration":{"a":{"b":[1]},"c":1.5}}`))
	f.Add([]byte(`{"id":1e3,"createdDate":"x","element":{"id":"a"}}`))
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
	})
}
