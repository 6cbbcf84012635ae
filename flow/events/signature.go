package events

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"

	"github.com/cewiz/cewiz/flow"
)

// The headers of a notification (see the package documentation).
const (
	HeaderSignature = "Elements-Webhook-Signature"
	HeaderWebhookID = "Elements-Webhook-Id"
)

// Scheme is how a notification was signed: the prefix of its signature.
type Scheme string

const (
	// Unsigned: no signature header.
	Unsigned Scheme = ""
	// SHA256 is today's scheme: sha256=<base64 HMAC-SHA256>.
	SHA256 Scheme = "sha256"
	// SHA1 is the legacy scheme older Cloud Elements tests checked:
	// sha1=<base64 HMAC-SHA1>.
	SHA1 Scheme = "sha1"
)

// Legacy reports whether the scheme is the old HMAC-SHA1 one.
func (s Scheme) Legacy() bool { return s == SHA1 }

// Errors of Verify. Their texts never contain the key or the signature.
var (
	ErrNoSignature   = errors.New("the notification has no " + HeaderSignature + " header, but a signature key is set")
	ErrBadSignature  = errors.New("the " + HeaderSignature + " header does not match the body signed with the key: the notification was not signed with this key, or its body was changed on the way")
	ErrUnknownScheme = errors.New("the " + HeaderSignature + " header is not sha256=<base64> (nor the legacy sha1=<base64>)")
)

// IsSignatureError reports whether err is one of Verify's refusals.
func IsSignatureError(err error) bool {
	return errors.Is(err, ErrBadSignature) || errors.Is(err, ErrNoSignature) || errors.Is(err, ErrUnknownScheme)
}

// Sign returns the Elements-Webhook-Signature of body under key:
// "sha256=" and the base64 of HMAC-SHA256(key, body).
func Sign(key flow.Secret, body []byte) string {
	return string(SHA256) + "=" + base64.StdEncoding.EncodeToString(mac(SHA256, key, body))
}

func mac(s Scheme, key flow.Secret, body []byte) []byte {
	var h func() hash.Hash = sha256.New
	if s == SHA1 {
		h = sha1.New
	}
	m := hmac.New(h, []byte(key.Reveal()))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks header, the notification's Elements-Webhook-Signature, on
// the raw body with key, in constant time. It returns the scheme it saw
// (SHA256, or the legacy SHA1 whose signature is checked as well) or why
// the notification must be refused: ErrNoSignature, ErrUnknownScheme or
// ErrBadSignature (wrapped with the scheme seen).
func Verify(key flow.Secret, body []byte, header string) (Scheme, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return Unsigned, ErrNoSignature
	}
	prefix, value, ok := strings.Cut(header, "=")
	s := Scheme(strings.ToLower(strings.TrimSpace(prefix)))
	if !ok || (s != SHA256 && s != SHA1) {
		return Unsigned, ErrUnknownScheme
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		got, err = base64.RawStdEncoding.DecodeString(strings.TrimSpace(value))
	}
	if err != nil {
		return s, fmt.Errorf("%w (its value is not base64)", ErrBadSignature)
	}
	if !hmac.Equal(got, mac(s, key, body)) {
		return s, fmt.Errorf("%w (scheme %s)", ErrBadSignature, s)
	}
	return s, nil
}
