// Package crashtest holds the desk's crash-safety test (crash_test.go): the
// real services run in a child process doing a long random sequence of
// composes, replies, shares, deletes, restores, copies to Documents on File,
// documents added and file imports, logging each acknowledged (committed)
// operation; the parent kills it with SIGKILL at random moments, restarts
// it, and after every kill opens the data directory and checks that every
// acknowledged change is there, nothing half-written is visible, no partial
// file exists, PRAGMA integrity_check is ok and the audit chain verifies.
//
// Run longer with CLINICDESK_CRASH_KILLS=200 (and CLINICDESK_CRASH_SEED to
// replay a run): go test -run TestCrashSafety -v ./backend/crashtest
//
// It has no code outside its test and must never be imported.
package crashtest
