package flow

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
)

// Mask is what a secret prints as, everywhere, unless revealed on purpose.
const Mask = "********"

// Secret holds a credential (a User/Organization secret, the Application
// Secret, a grant code, an instance token). The value sits in an unexported
// field and every formatting path (fmt verbs, JSON, text, slog) prints Mask, so
// a secret that reaches a log line or an error by accident stays hidden. Only
// Reveal gives the value back.
type Secret struct{ value string }

// NewSecret wraps a credential.
func NewSecret(v string) Secret { return Secret{value: v} }

// Reveal returns the real value. Call it only where the value must leave the
// process on purpose: an HTTP header, a request body, an export the user asked
// to include secrets in.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether no value was given.
func (s Secret) IsZero() bool { return s.value == "" }

func (s Secret) masked() string {
	if s.value == "" {
		return ""
	}
	return Mask
}

// String prints Mask (or nothing for an empty secret).
func (s Secret) String() string { return s.masked() }

// GoString keeps %#v from printing the struct's field.
func (s Secret) GoString() string { return fmt.Sprintf("flow.Secret(%q)", s.masked()) }

// Format covers every verb, including %x and %d, which would otherwise
// bypass String for some types.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", s.masked())
	case 'v':
		if f.Flag('#') {
			_, _ = f.Write([]byte(s.GoString()))
			return
		}
		_, _ = f.Write([]byte(s.masked()))
	default:
		_, _ = f.Write([]byte(s.masked()))
	}
}

// MarshalJSON writes the mask: a body that must carry the real value is built
// by BuildBody with SecretsIncluded, which calls Reveal itself.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.masked())), nil }

// MarshalText writes the mask (used by encoding/json map keys, slog text, etc.).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.masked()), nil }

// LogValue keeps slog from reaching into the struct.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.masked()) }

// Secrets are the credentials a user types (or cewiz generates) but that are
// never remembered, flagged or printed: the Cloud Elements User and
// Organization secrets, the DocuShare Flex Application Secret and the key
// notifications are signed with.
type Secrets struct {
	UserSecret Secret // Cloud Elements User secret
	OrgSecret  Secret // Cloud Elements Organization secret
	APISecret  Secret // DocuShare Flex Application Secret → oauth.api.secret
	// SignatureKey → event.notification.signature.key: Cloud Elements signs
	// each notification with it, and a receiver checks the signature with it.
	SignatureKey Secret
}

// NewSignatureKey returns a random notification signature key: 32 bytes
// from crypto/rand, base64url without padding (43 characters that need no
// quoting in JSON, a header or a shell).
func NewSignatureKey() Secret {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return NewSecret(base64.RawURLEncoding.EncodeToString(b))
}
