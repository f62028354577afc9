// Package backup owns Settings → Backup: writing a consistent, verifiable
// copy of the practice (the database, taken with SQLite's VACUUM INTO while
// the desk keeps working, and every stored file it refers to) into a new
// folder with a manifest of hashes; checking such a folder; and restoring
// the practice from it.
//
// Layout of a backup folder "ClinicDesk backup <date time>/":
//
//	manifest.json                 format, schema version, time, hashes, row counts
//	clinicdesk.db                 the database (rollback journal, no WAL)
//	files/blobs/ab/cd/<sha256>    stored files, as in the data directory
//
// It must never replace a practice's data before the backup has verified in
// full, never leave a half-restored data directory in place (the new data is
// staged beside the old and swapped in by rename), and never act for anyone
// but an owner or manager.
package backup
