package version

import (
	"strings"
	"testing"
)

func TestStringNamesProgramVersionAndBuild(t *testing.T) {
	old := Version
	Version, Commit = "v9.8.7-2-gabcdef0", "abcdef0"
	defer func() { Version, Commit = old, "" }()
	s := String("clinicdesk")
	if !strings.HasPrefix(s, "clinicdesk v9.8.7-2-gabcdef0 (abcdef0") {
		t.Fatalf("String = %q", s)
	}
}
