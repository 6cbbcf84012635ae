package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MarshalBody writes the body as indented JSON (two spaces, trailing
// newline), ready for a file or for stdout.
func MarshalBody(b Body) ([]byte, error) {
	compact, err := marshalJSON(b)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// The environment variables cewiz reads the secrets and the grant code
// from (a flag would show in ps).
const (
	EnvUserSecret = "CEWIZ_USER_SECRET"
	EnvOrgSecret  = "CEWIZ_ORG_SECRET"
	EnvAPISecret  = "CEWIZ_API_SECRET"
	EnvCode       = "CEWIZ_CODE"
	// EnvSignatureKey is the notification signature key: create sends it,
	// events receive and the doctor check signatures with it.
	EnvSignatureKey = "CEWIZ_SIGNATURE_KEY"
)

// The shell variables the cURL export reads the secrets and the code from.
// They are not cewiz's own inputs: following the export's "export
// CE_GRANT_CODE=…" must not make every later `cewiz create` send that
// spent code again, as CEWIZ_CODE would.
const (
	CurlUserSecret = "CE_USER_SECRET"
	CurlOrgSecret  = "CE_ORG_SECRET"
	CurlAppSecret  = "CE_APP_SECRET"
	CurlGrantCode  = "CE_GRANT_CODE"
	// CurlSignatureKey is the notification signature key, when the body
	// signs notifications.
	CurlSignatureKey = "CE_SIGNATURE_KEY"
)

// curlSentinel marks where a secret goes in the JSON before shell quoting.
// It contains no quote, backslash or $ so it survives JSON and shell quoting
// unchanged and is swapped for a variable afterwards.
func curlSentinel(env string) string { return "@@cewiz:" + env + "@@" }

// ExportCurl writes a POSIX shell command equivalent to the seed's cURL
// example: POST {baseURL}/instances with the body. The secrets are never
// written: the Authorization header, oauth.api.secret and the grant code
// come from $CE_USER_SECRET, $CE_ORG_SECRET, $CE_APP_SECRET and
// $CE_GRANT_CODE (and, when notifications are signed, the signature key from
// $CE_SIGNATURE_KEY): not cewiz's own CEWIZ_* inputs. The shell stops with a
// message if one is unset. The JSON is single-quoted, so nothing in it is
// expanded by the shell.
func ExportCurl(a Answers, baseURL string) (string, error) {
	withVars := BuildBody(a, Secrets{}, SecretsPlaceholder)
	withVars.Configuration.APISecret = curlSentinel(CurlAppSecret)
	withVars.ProviderData.Code = curlSentinel(CurlGrantCode)
	vars := []string{CurlAppSecret, CurlGrantCode}
	if withVars.Configuration.SignatureKey != "" {
		withVars.Configuration.SignatureKey = curlSentinel(CurlSignatureKey)
		vars = append(vars, CurlSignatureKey)
	}
	js, err := MarshalBody(withVars)
	if err != nil {
		return "", err
	}
	data := ShellQuote(strings.TrimSuffix(string(js), "\n"))
	for _, env := range vars {
		s := curlSentinel(env)
		if strings.Count(data, s) != 1 {
			return "", fmt.Errorf("cannot write the cURL command: an answer contains the text %q", s)
		}
		// Close the single quote, expand the variable in double quotes, reopen.
		data = strings.Replace(data, s, `'"`+requiredVar(env)+`"'`, 1)
	}
	var b strings.Builder
	b.WriteString("# Set the secrets first (they are not written here):\n")
	b.WriteString("#   export " + CurlUserSecret + "=... " + CurlOrgSecret + "=...")
	for _, env := range vars {
		b.WriteString(" " + env + "=...")
	}
	b.WriteString("\n")
	b.WriteString("# The values must not contain \" or \\ (they are placed inside JSON strings).\n")
	fmt.Fprintf(&b, "curl -sS -X POST \\\n  %s \\\n", ShellQuote(strings.TrimRight(baseURL, "/")+"/instances"))
	fmt.Fprintf(&b, "  -H \"Authorization: User %s, Organization %s\" \\\n", requiredVar(CurlUserSecret), requiredVar(CurlOrgSecret))
	b.WriteString("  -H 'Content-Type: application/json' \\\n")
	fmt.Fprintf(&b, "  -d %s\n", data)
	return b.String(), nil
}

func requiredVar(env string) string {
	return "${" + env + ":?set " + env + " first}"
}

// ShellQuote quotes s for a POSIX shell: single quotes, with each ' written
// as '\”.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// bodyFile is the tolerant reading of a body file: configuration values may
// be strings or native JSON types.
type bodyFile struct {
	Element *struct {
		Key string `json:"key"`
	} `json:"element"`
	Configuration map[string]json.RawMessage `json:"configuration"`
	Name          *string                    `json:"name"`
	ProviderData  *struct {
		Code string `json:"code"`
	} `json:"providerData"`
	Tags []string `json:"tags"`
}

// ParseBody reads a body written by export (or by hand, following the seed)
// back into answers and secrets, so `--from` can start from it. Placeholders
// and masked values count as not given. Values are checked with the same
// validators as the flags; an error names the field. JSON nested more than
// MaxJSONDepth levels is refused before it is decoded.
func ParseBody(data []byte) (Answers, Secrets, error) {
	a := NewAnswers()
	var s Secrets
	if err := checkJSONDepth(data); err != nil {
		return a, s, err
	}
	var f bodyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return a, s, fmt.Errorf("the body is not valid JSON: %w", err)
	}
	if dec.More() {
		return a, s, errors.New("the body has more than one JSON value; give one POST /instances body")
	}
	if f.Element != nil && f.Element.Key != "" && f.Element.Key != ElementKey {
		return a, s, fmt.Errorf("the body is for the element %q; cewiz builds %q instances", f.Element.Key, ElementKey)
	}
	if f.Name != nil && !IsPlaceholder(*f.Name) {
		if err := ValidateName(*f.Name); err != nil {
			return a, s, fmt.Errorf("name: %w", err)
		}
		a.Name = *f.Name
	}
	for _, t := range f.Tags {
		if err := ValidateTag(t); err != nil {
			return a, s, fmt.Errorf("tags: %w", err)
		}
	}
	a.Tags = append([]string(nil), f.Tags...)
	if f.ProviderData != nil && !IsPlaceholder(f.ProviderData.Code) {
		if p := secretProblem(f.ProviderData.Code, false); p != "" {
			return a, s, fmt.Errorf("providerData.code: the grant code %s", p)
		}
		a.Code = NewSecret(f.ProviderData.Code)
	}
	for key, raw := range f.Configuration {
		if err := a.readConfig(&s, key, raw); err != nil {
			return a, s, fmt.Errorf("configuration %q: %w", key, err)
		}
	}
	return a, s, nil
}

func (a *Answers) readConfig(s *Secrets, key string, raw json.RawMessage) error {
	if key == KeyPollerConfiguration {
		p, err := ParsePollerConfig(raw)
		if err != nil {
			return err
		}
		a.Polling = p
		return nil
	}
	known := map[string]bool{KeyAPISecret: true, KeyCallbackURL: true, KeyAPIKey: true, KeyVendorType: true,
		KeyRefreshInterval: true, KeyNotificationEnabled: true, KeyDomain: true, KeyNotificationURL: true, KeySignatureKey: true}
	if !known[key] {
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if a.ExtraConfiguration == nil {
			a.ExtraConfiguration = map[string]any{}
		}
		a.ExtraConfiguration[key] = v
		return nil
	}
	v, err := scalarString(raw)
	if err != nil {
		return err
	}
	if key == KeySignatureKey && v != "" {
		// The body signs notifications, even when its key is a placeholder
		// (to be given with CEWIZ_SIGNATURE_KEY).
		a.SignNotifications = true
	}
	if v == "" || IsPlaceholder(v) {
		return nil
	}
	switch key {
	case KeySignatureKey:
		if p := secretProblem(v, false); p != "" {
			return fmt.Errorf("the notification signature key %s", p)
		}
		s.SignatureKey = NewSecret(v)
	case KeyAPISecret:
		if p := secretProblem(v, false); p != "" {
			return fmt.Errorf("the Application Secret %s", p)
		}
		s.APISecret = NewSecret(v)
	case KeyCallbackURL:
		if err := ValidateCallbackURL(v); err != nil {
			return err
		}
		a.CallbackURL = v
	case KeyAPIKey:
		if err := ValidateAPIKey(v); err != nil {
			return err
		}
		a.APIKey = v
	case KeyVendorType:
		if v != VendorTypePolling {
			return fmt.Errorf("cewiz sets up polling events; %q is not supported", v)
		}
	case KeyRefreshInterval:
		n, err := ParseRefreshInterval(v)
		if err != nil {
			return err
		}
		a.RefreshInterval = n
	case KeyNotificationEnabled:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false, not %q", v)
		}
		a.EventsEnabled = b
	case KeyDomain:
		d, err := NormalizeDomain(v)
		if err != nil {
			return err
		}
		a.Domain = d
	case KeyNotificationURL:
		if err := ValidateNotificationURL(v); err != nil {
			return err
		}
		a.NotificationURL = v
	}
	return nil
}

// scalarString reads a JSON string, number or boolean as its text: Cloud
// Elements answers with strings where the seed sends native types.
func scalarString(raw json.RawMessage) (string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	case nil:
		return "", nil
	}
	return "", errors.New("must be a string, a number or a boolean")
}
