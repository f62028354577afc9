// Package platform holds what differs between operating systems: where the
// desk keeps its data, and opening a file in the system's default viewer.
//
// It must never open anything through a shell: the opener is started
// directly with the path as one argument.
package platform

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// DataDir resolves the data directory: the flag value if set, then
// $CLINICDESK_DATA, then <user config dir>/ClinicDesk.
func DataDir(flagValue string) (string, error) {
	if flagValue != "" {
		return filepath.Abs(flagValue)
	}
	if env := os.Getenv("CLINICDESK_DATA"); env != "" {
		return filepath.Abs(env)
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user's config directory: %w", err)
	}
	return filepath.Join(base, "ClinicDesk"), nil
}

// OpenerCommand returns the program and arguments that open path in the
// system's default viewer.
func OpenerCommand(path string) (string, []string) {
	switch runtime.GOOS {
	case "darwin":
		return "open", []string{path}
	case "windows":
		return "explorer.exe", []string{path}
	default:
		return "xdg-open", []string{path}
	}
}

// OpenFile opens path in the default viewer and reaps the opener when it
// exits, so no zombie process is left behind.
func OpenFile(path string) error {
	if os.Getenv("CLINICDESK_NO_OPEN") != "" {
		return nil // tests and headless runs: the copy is made, nothing is launched
	}
	name, args := OpenerCommand(path)
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s with %s: %w", filepath.Base(path), name, err)
	}
	go cmd.Wait()
	return nil
}
