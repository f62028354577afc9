//go:build !unix

package files

import "testing"

// unixImportRefusals: none outside Unix (no FIFOs; links need privileges on Windows).
func unixImportRefusals(t *testing.T, dir, folder string) []importRefusal { return nil }
