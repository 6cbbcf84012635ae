package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestExportSeedInputsPrintSeedBody(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, nil, "export", "--name", "myCoolInstance",
		"--callback-url", "https://auth.cloudelements.io/oauth",
		"--notify-url", "https://www.mycoolapplication.com/events")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	want, _ := os.ReadFile("flow/testdata/seed-body.json")
	var got, exp any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not only JSON: %v\n%s", err, out)
	}
	json.Unmarshal(want, &exp)
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("got\n%s", out)
	}
}

// The signature key is a secret like the others: a placeholder unless
// --include-secrets, $CE_SIGNATURE_KEY in the cURL export (not cewiz's
// own CEWIZ_SIGNATURE_KEY input).
func TestExportSignatureKey(t *testing.T) {
	t.Parallel()
	env := map[string]string{"CEWIZ_SIGNATURE_KEY": "SIGNINGKEY-1"}
	code, out, errOut := runCLI(t, env, "export", "--domain", "acme", "--notify-url", "https://h.example.com/e")
	if code != exitOK || !strings.Contains(out, `"event.notification.signature.key": "<INSERT_SIGNATURE_KEY>"`) ||
		strings.Contains(out+errOut, "SIGNINGKEY-1") || !strings.Contains(errOut, "--include-secrets") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	_, out, _ = runCLI(t, env, "export", "--domain", "acme", "--notify-url", "https://h.example.com/e", "--include-secrets")
	if !strings.Contains(out, `"event.notification.signature.key": "SIGNINGKEY-1"`) {
		t.Fatalf("--include-secrets:\n%s", out)
	}
	_, out, _ = runCLI(t, env, "export", "--domain", "acme", "--notify-url", "https://h.example.com/e", "--format", "curl")
	if strings.Contains(out, "SIGNINGKEY-1") || !strings.Contains(out, "${CE_SIGNATURE_KEY:?") || strings.Contains(out, "CEWIZ_SIGNATURE_KEY") {
		t.Fatalf("curl:\n%s", out)
	}
}

func TestExportSecretsOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	env := map[string]string{"CEWIZ_API_SECRET": "APPSECRET-1", "CEWIZ_USER_SECRET": "USERSECRET-1", "CEWIZ_ORG_SECRET": "ORGSECRET-1"}
	code, out, errOut := runCLI(t, env, "export", "--code", "CODE-1", "--domain", "acme")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, secret := range []string{"APPSECRET-1", "USERSECRET-1", "ORGSECRET-1", "CODE-1"} {
		if strings.Contains(out+errOut, secret) {
			t.Fatalf("%s leaked without --include-secrets", secret)
		}
	}
	if !strings.Contains(errOut, "--include-secrets") {
		t.Fatalf("no hint about --include-secrets: %s", errOut)
	}
	_, out, _ = runCLI(t, env, "export", "--code", "CODE-1", "--include-secrets")
	if !strings.Contains(out, "APPSECRET-1") || !strings.Contains(out, "CODE-1") {
		t.Fatalf("--include-secrets did not include them:\n%s", out)
	}
	if strings.Contains(out, "USERSECRET-1") {
		t.Fatal("the User secret is never part of the body")
	}
	_, out, _ = runCLI(t, env, "export", "--format", "curl", "--code", "CODE-1")
	if strings.Contains(out, "APPSECRET-1") || strings.Contains(out, "CODE-1") || !strings.Contains(out, "$") {
		t.Fatalf("cURL export:\n%s", out)
	}
}

func TestExportFromFileRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, first, _ := runCLI(t, nil, "export", "--domain", "acme", "--poll", "events", "--tag", "x", "--notify-url", "https://h.example.com/e")
	p := filepath.Join(dir, "body.json")
	os.WriteFile(p, []byte(first), 0o600)
	code, second, errOut := runCLI(t, nil, "export", "--from", p)
	if code != exitOK || second != first {
		t.Fatalf("exit %d %s\nfirst:\n%s\nsecond:\n%s", code, errOut, first, second)
	}
	_, third, _ := runCLI(t, nil, "export", "--from", p, "--refresh-interval", "42")
	if !strings.Contains(third, `"event.poller.refresh_interval": "42"`) {
		t.Fatalf("a flag did not override the file:\n%s", third)
	}
}
