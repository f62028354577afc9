package events

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "write frontend/src/api/eventkinds.ts from the Go kinds")

// The UI's event kinds are the Go ones: the TypeScript file is generated
// from this package, and this test fails when someone edits one side only.
func TestTypeScriptKindsAreTheGoKinds(t *testing.T) {
	path := filepath.Join("..", "..", "frontend", "src", "api", "eventkinds.ts")
	want := TypeScript()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s differs from the Go kinds: run `go test ./backend/events -run TestTypeScript -update`", path)
	}
}

// Every kind is listed once, with a TypeScript name and words.
func TestEveryKindIsListedOnce(t *testing.T) {
	all := []Kind{KindThreads, KindMessages, KindAttachments, KindDocuments, KindAppointments, KindClients, KindSettings,
		KindSession, KindAudit, KindInbox, KindSync, KindRestore}
	seen := map[Kind]bool{}
	names := map[string]bool{}
	for _, k := range Kinds {
		if seen[k.Kind] || names[k.Name] || k.Name == "" || k.Doc == "" {
			t.Fatalf("kind %q listed twice or without a name or words", k.Kind)
		}
		seen[k.Kind], names[k.Name] = true, true
	}
	for _, k := range all {
		if !seen[k] {
			t.Fatalf("kind %q is not in Kinds (so not in the UI)", k)
		}
	}
	if len(Kinds) != len(all) {
		t.Fatalf("Kinds has %d entries, the constants %d", len(Kinds), len(all))
	}
}

// The payload the UI reads: {what, threadId?}.
func TestChangeIsSentAsWhatAndThreadID(t *testing.T) {
	b, _ := json.Marshal(Change{What: KindMessages, ThreadID: "t1"})
	if string(b) != `{"what":"messages","threadId":"t1"}` {
		t.Fatal(string(b))
	}
	b, _ = json.Marshal(Change{What: KindSettings})
	if string(b) != `{"what":"settings"}` {
		t.Fatal(string(b))
	}
}
