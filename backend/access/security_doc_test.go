package access_test

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/store"
)

var update = flag.Bool("update", false, "rewrite the generated role × action matrix in docs/security.md")

const (
	docPath   = "../../docs/security.md"
	beginMark = "<!-- BEGIN GENERATED MATRIX: go test ./backend/access -run TestSecurityDocMatchesRules -update -->"
	endMark   = "<!-- END GENERATED MATRIX -->"
	me        = "the-actor"
	other     = "someone-else"
)

// scenario is one row of the matrix: an action under a condition, decided
// by calling the real rule.
type scenario struct {
	rule      string // the access function deciding it
	action    string
	condition string
	check     func(a access.Actor) error
}

var roles = []string{store.RoleOwner, store.RoleManager, store.RoleClinician, store.RoleFrontDesk}

func att(participant, shared bool, senderKind, senderID string) access.AttachmentFacts {
	return access.AttachmentFacts{Participant: participant, Shared: shared, SenderKind: senderKind, SenderID: senderID}
}

func scenarios() []scenario {
	see := func(f access.AttachmentFacts) func(access.Actor) error {
		return func(a access.Actor) error { return access.CheckSee(a, f) }
	}
	toggle := func(f access.AttachmentFacts) func(access.Actor) error {
		return func(a access.Actor) error { return access.CheckToggleShare(a, f) }
	}
	del := func(f access.AttachmentFacts, on bool) func(access.Actor) error {
		return func(a access.Actor) error { return access.CheckDelete(a, f, on) }
	}
	cp := func(f access.AttachmentFacts) func(access.Actor) error {
		return func(a access.Actor) error { return access.CheckCopyToDocuments(a, f) }
	}
	removed := att(true, true, store.KindStaff, me)
	removed.Removed = true
	const (
		seeA    = "See an attachment (name, size, sender) and view or preview it"
		shareA  = "Share with all staff / make private"
		threadA = "Go to thread (open it, reply)"
		delA    = "Delete an attachment"
		copyA   = "Copy to Documents on File"
	)
	return []scenario{
		{"CheckSee", seeA, "participant of its thread", see(att(true, false, store.KindClient, "c"))},
		{"CheckSee", seeA, "not a participant; shared with all staff", see(att(false, true, store.KindStaff, other))},
		{"CheckSee", seeA, "not a participant; private", see(att(false, false, store.KindStaff, other))},
		{"CheckSee", seeA, "deleted by the practice", see(removed)},
		{"CheckToggleShare", shareA, "they sent it", toggle(att(true, false, store.KindStaff, me))},
		{"CheckToggleShare", shareA, "another staff member sent it; participant", toggle(att(true, true, store.KindStaff, other))},
		{"CheckToggleShare", shareA, "a client sent it; participant", toggle(att(true, false, store.KindClient, "c"))},
		{"CheckToggleShare", shareA, "a client sent it; not a participant; shared", toggle(att(false, true, store.KindClient, "c"))},
		{"CheckGoToThread", threadA, "participant", func(a access.Actor) error { return access.CheckGoToThread(a, true) }},
		{"CheckGoToThread", threadA, "not a participant", func(a access.Actor) error { return access.CheckGoToThread(a, false) }},
		{"CheckDelete", delA, "Records Deletion off; participant", del(att(true, false, store.KindStaff, me), false)},
		{"CheckDelete", delA, "Records Deletion on; participant", del(att(true, false, store.KindClient, "c"), true)},
		{"CheckDelete", delA, "Records Deletion on; not a participant; shared", del(att(false, true, store.KindStaff, other), true)},
		{"CheckDelete", delA, "Records Deletion on; not a participant; private", del(att(false, false, store.KindStaff, other), true)},
		{"CheckRestore", "See Recently deleted; restore a deleted attachment (within 30 days)", "any", access.CheckRestore},
		{"CheckCopyToDocuments", copyA, "participant of its thread", cp(att(true, false, store.KindClient, "c"))},
		{"CheckCopyToDocuments", copyA, "not a participant; shared", cp(att(false, true, store.KindStaff, other))},
		{"CheckCopyToDocuments", copyA, "not a participant; private", cp(att(false, false, store.KindStaff, other))},
		{"CheckManageSettings", "Change settings (Records Deletion, file size limit, lock timeout, scan inbox)", "any", access.CheckManageSettings},
		{"CheckJoinHub", "Join or leave a practice hub", "any", access.CheckJoinHub},
		{"CheckStoreCheck", "Check stored files against the database", "any", access.CheckStoreCheck},
		{"CheckReadAudit", "Read, filter, export and verify the audit log", "any", access.CheckReadAudit},
		{"CheckBackup", "Back up the practice", "any", access.CheckBackup},
		{"CheckInspectBackup", "Look inside a backup", "any", access.CheckInspectBackup},
		{"CheckRestoreBackup", "Restore the practice from a backup", "any", access.CheckRestoreBackup},
		{"CheckSignedIn", "Clients list and profiles, own threads, compose, Documents on File, calendar", "any", access.CheckSignedIn},
	}
}

func cell(err error) string {
	if err == nil {
		return "**yes**"
	}
	return fmt.Sprintf("no (`%s`)", apperr.CodeOf(err))
}

// matrix renders the table from the real rules.
func matrix() string {
	var b strings.Builder
	b.WriteString("| Action | Condition | owner | manager | clinician | front_desk | signed out or locked |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, s := range scenarios() {
		fmt.Fprintf(&b, "| %s | %s |", s.action, s.condition)
		for _, r := range roles {
			fmt.Fprintf(&b, " %s |", cell(s.check(access.Actor{StaffID: me, Role: r, Name: "X"})))
		}
		fmt.Fprintf(&b, " %s |\n", cell(s.check(access.Actor{})))
	}
	b.WriteString("\nDecided by: ")
	seen := map[string]bool{}
	var rules []string
	for _, s := range scenarios() {
		if !seen[s.rule] {
			seen[s.rule] = true
			rules = append(rules, "`access."+s.rule+"`")
		}
	}
	b.WriteString(strings.Join(rules, ", ") + ".\n")
	return b.String()
}

// TestSecurityDocMatchesRules fails when docs/security.md's matrix is not
// what the rules in this package decide, or when a Check rule exists that
// the matrix does not cover. Regenerate with -update.
func TestSecurityDocMatchesRules(t *testing.T) {
	// Every exported rule of the package is in the matrix.
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{"CanSee": true} // CheckSee's answer as a bool
	for _, s := range scenarios() {
		covered[s.rule] = true
	}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.IsExported() && !covered[fn.Name.Name] &&
					(strings.HasPrefix(fn.Name.Name, "Check") || strings.HasPrefix(fn.Name.Name, "Can")) {
					t.Errorf("rule access.%s is not in the security matrix: add scenarios for it", fn.Name.Name)
				}
			}
		}
	}

	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("read %s: %v", docPath, err)
	}
	doc := string(b)
	i, j := strings.Index(doc, beginMark), strings.Index(doc, endMark)
	if i < 0 || j < i {
		t.Fatalf("%s has no generated matrix between %q and %q", docPath, beginMark, endMark)
	}
	want := "\n" + matrix()
	got := doc[i+len(beginMark) : j]
	if got == want {
		return
	}
	if *update {
		doc = doc[:i+len(beginMark)] + want + doc[j:]
		if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the matrix in %s", filepath.Clean(docPath))
		return
	}
	t.Fatalf("docs/security.md does not match the rules in backend/access. Regenerate it with:\n"+
		"  go test ./backend/access -run TestSecurityDocMatchesRules -update\n\nwant:\n%s", want)
}
