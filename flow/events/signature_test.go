package events

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/cewiz/cewiz/flow"
)

// The example of the public record: devportal's "Event Management -
// Security" page signs "<INSERT_EVENT_NOTIFICATION_RESPONSE_BODY>" with
// "MySecretEventSignatureKey" and gets this header value.
const (
	recordKey       = "MySecretEventSignatureKey"
	recordBody      = "<INSERT_EVENT_NOTIFICATION_RESPONSE_BODY>"
	recordSignature = "sha256=jHdbRx5EZAsOfTwAPJOGkNUzQMVVdu5VJlxcsk+G6jQ="
)

func TestSignMatchesThePublicRecord(t *testing.T) {
	if got := Sign(flow.NewSecret(recordKey), []byte(recordBody)); got != recordSignature {
		t.Fatalf("Sign = %s, want %s", got, recordSignature)
	}
}

func legacySHA1(key, body string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(body))
	return "sha1=" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	key := flow.NewSecret(recordKey)
	cases := []struct {
		name   string
		body   string
		header string
		scheme Scheme
		err    error
	}{
		{"the record's example", recordBody, recordSignature, SHA256, nil},
		{"prefix in capitals, spaces around", recordBody, "  SHA256=" + strings.TrimPrefix(recordSignature, "sha256=") + " ", SHA256, nil},
		{"legacy sha1, verified and named", recordBody, legacySHA1(recordKey, recordBody), SHA1, nil},
		{"legacy sha1 with another key", recordBody, legacySHA1("other", recordBody), SHA1, ErrBadSignature},
		{"missing", recordBody, "", Unsigned, ErrNoSignature},
		{"body changed on the way", recordBody + " ", recordSignature, SHA256, ErrBadSignature},
		{"signed with another key", recordBody, Sign(flow.NewSecret("another"), []byte(recordBody)), SHA256, ErrBadSignature},
		{"a hex digest is not the scheme", recordBody, "sha256=8c775b471e44640b0e4d3c003c938e90d53340c555", SHA256, ErrBadSignature},
		{"unknown scheme", recordBody, "md5=abc", Unsigned, ErrUnknownScheme},
		{"no scheme", recordBody, strings.TrimPrefix(recordSignature, "sha256="), Unsigned, ErrUnknownScheme},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Verify(key, []byte(c.body), c.header)
			if s != c.scheme || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
				t.Fatalf("Verify = %q, %v; want %q, %v", s, err, c.scheme, c.err)
			}
			if err != nil && (strings.Contains(err.Error(), recordKey) || strings.Contains(err.Error(), "jHdbRx5E")) {
				t.Fatalf("the error shows the key or the signature: %v", err)
			}
		})
	}
}
