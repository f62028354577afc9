package hub_test

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"clinicdesk/backend/version"
)

// A load balancer or an installer's check asks /healthz; it answers which
// build is running so an upgrade can be confirmed from outside.
func TestHealthzReportsTheHubVersion(t *testing.T) {
	old := version.Version
	version.Version = "v3.2.1-test"
	defer func() { version.Version = old }()
	th := startHub(t, filepath.Join(t.TempDir(), "hub.db"))
	res, err := http.Get(th.srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ Status, Version string }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("healthz is not JSON: %v", err)
	}
	if res.StatusCode != http.StatusOK || body.Status != "ok" || body.Version != "v3.2.1-test" {
		t.Fatalf("healthz = %d %+v", res.StatusCode, body)
	}
}
