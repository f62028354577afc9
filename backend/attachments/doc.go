// Package attachments owns what staff can do with a message attachment: list
// the ones a staff member may see for a client, share with all staff or make
// private, view, delete and restore (Records Deletion), and copy to the
// client's Documents on File. It also stages incoming files (checked and
// stored) before they are sent, under random tokens that are used once, by
// the staff member who staged them, in the same sign-in, within StageTTL;
// it never accepts a content hash in their place (hashes are not secrets).
// Bytes nothing uses any more are swept after OrphanGrace.
//
// Every action asks package access first, and writes its change, its change-log
// entry and its audit entry in one transaction. It must never return anything
// about an attachment the staff member may not see, not even its name.
package attachments
