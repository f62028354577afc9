package access

// CheckBackup: only an owner or manager may back up the practice (a backup
// holds every client's messages and files).
func CheckBackup(a Actor) error {
	return ownerOrManager(a, "Only an owner or manager can make a backup of the practice.")
}

// CheckInspectBackup: only an owner or manager may look inside a backup
// (what it holds and whether it is intact).
func CheckInspectBackup(a Actor) error {
	return ownerOrManager(a, "Only an owner or manager can look inside a backup.")
}

// CheckRestoreBackup: only an owner or manager may restore the practice
// from a backup.
func CheckRestoreBackup(a Actor) error {
	return ownerOrManager(a, "Only an owner or manager can restore the practice from a backup.")
}
