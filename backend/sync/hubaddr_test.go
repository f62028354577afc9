package sync_test

import (
	"strings"
	"testing"

	"clinicdesk/backend/sync"
)

// Issue 12: a desk refuses a plain http:// hub except on this computer, and
// says why; https:// and loopback http:// are fine.
func TestDesksRefusePlainHTTPHubsExceptOnLoopback(t *testing.T) {
	for _, bad := range []string{"http://hub.example.org", "http://192.168.1.20:8443", "http://[2001:db8::1]:80", "HTTP://hub.example.org/x"} {
		_, err := sync.NormalizeHubURL(bad)
		if err == nil || !strings.Contains(err.Error(), "https://") || !strings.Contains(err.Error(), "unencrypted") {
			t.Errorf("NormalizeHubURL(%q) = %v, want a refusal that says why", bad, err)
		}
	}
	for in, want := range map[string]string{
		"https://hub.example.org:8443/": "https://hub.example.org:8443",
		"hub.example.org":               "https://hub.example.org",
		"http://127.0.0.1:8080":         "http://127.0.0.1:8080",
		"http://localhost:8080":         "http://localhost:8080",
		"http://[::1]:8080":             "http://[::1]:8080",
	} {
		got, err := sync.NormalizeHubURL(in)
		if err != nil || got != want {
			t.Errorf("NormalizeHubURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
