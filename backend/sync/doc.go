// Package sync owns the change log and the hybrid logical clock that orders
// changes between desks and the hub. Every service records its change with
// Recorder.Record inside the same transaction as the change itself, so the
// log can never miss a committed change nor hold one that rolled back.
//
// It must never apply business rules: it carries changes, it does not judge them.
package sync
