package access

// CheckBackup: only an owner or manager may back up the practice (a backup
// holds every client's messages and files) or restore it from a backup.
func CheckBackup(a Actor) error { return CheckManageSettings(a) }
