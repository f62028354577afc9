// Plain sentences for the error codes of backend/apperr. The backend usually
// sends its own message; these are used when it does not, and the UI never
// matches on message text.

const sentences: Record<string, string> = {
  not_found: 'That item could not be found. It may have been removed.',
  not_signed_in: 'You are signed out. Please sign in again.',
  forbidden: 'You do not have permission to do that.',
  not_participant: 'Only the people in this conversation can do that.',
  not_sender: 'Only the person who sent this file can change who sees it.',
  records_deletion_off:
    'Deleting is turned off. An owner or manager can turn on Records Deletion in Settings → Security.',
  owner_or_manager_only: 'Only an owner or manager can do that.',
  invalid_input: 'Please check what you entered and try again.',
  already_deleted: 'This file has already been deleted.',
  restore_window_expired: 'This file was deleted more than 30 days ago and can no longer be restored.',
  file_too_large: 'This file is too large to attach.',
  file_empty: 'This file is empty.',
  file_unreadable: 'This file could not be read.',
  file_is_folder: 'Folders cannot be attached. Please choose the files inside it.',
  file_type_refused: 'This type of file cannot be attached.',
  file_name_invalid: 'This file name cannot be used. Please rename the file and try again.',
  file_corrupt: 'This file appears to be damaged and could not be opened.',
  file_location_refused:
    "This is one of ClinicDesk's own stored copies, so it can't be attached. Attach the original file instead.",
  cancelled: 'Cancelled.',
  conflict: 'Someone else changed this at the same time. Please try again.',
  already_in_documents: 'This file is already in Documents on File.',
  appointment_past: 'This appointment is over, so it can no longer be cancelled.',
  bad_credentials: 'That PIN or password is not right. Please try again.',
  account_locked: 'This account is locked. Please ask your practice manager.',
  internal: 'Something went wrong. Please try again; if it keeps happening, tell your practice manager.',
};

/** The plain sentence for an error code; unknown codes get the generic one. */
export function plainMessage(code: string | undefined | null): string {
  if (code && Object.prototype.hasOwnProperty.call(sentences, code)) return sentences[code];
  return sentences.internal;
}
