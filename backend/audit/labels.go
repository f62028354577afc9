package audit

import "sort"

// Actions written by backup and restore (Settings → Backup).
const (
	ActBackupCreated  = "backup_created"
	ActBackupRestored = "backup_restored"
)

// actionLabels are the plain words Settings → Audit log shows for each action.
var actionLabels = map[string]string{
	ActView:              "Opened a file",
	ActPreview:           "Previewed a file",
	ActShare:             "Shared an attachment with all staff",
	ActUnshare:           "Made an attachment private",
	ActCopyToDocuments:   "Copied an attachment to Documents on File",
	ActDelete:            "Deleted an attachment",
	ActRestore:           "Restored a deleted attachment",
	ActPurge:             "Permanently removed a deleted attachment",
	ActSignIn:            "Signed in",
	ActSignInFailed:      "Failed sign-in",
	ActSignOut:           "Signed out",
	ActLock:              "Locked the desk",
	ActSettingChanged:    "Changed a setting",
	ActExport:            "Exported the audit log",
	ActOpenThread:        "Opened a message thread",
	ActCompose:           "Started a message thread",
	ActReply:             "Replied in a thread",
	ActAlertChanged:      "Changed a Client Alert",
	ActDocumentAdded:     "Added to Documents on File",
	ActAppointmentSaved:  "Saved an appointment",
	ActBackupCreated:     "Made a backup",
	ActBackupRestored:    "Restored the practice from a backup",
	ActStagedFileRefused: "Refused a file that was not ready to send",
}

// ActionLabel returns the plain-words label of an action; an action this
// version does not know (written by a newer desk and synced here) is shown
// as it is stored.
func ActionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return action
}

// Actions lists every action this version writes, sorted by label, for the
// audit log's filter.
func Actions() []string {
	out := make([]string, 0, len(actionLabels))
	for a := range actionLabels {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return actionLabels[out[i]] < actionLabels[out[j]] })
	return out
}
