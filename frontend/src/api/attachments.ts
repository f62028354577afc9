import * as Bound from '../../wailsjs/go/api/Attachments';
import { call } from './errors';
import type { Attachment, DeletedAttachment, Document, ViewResult } from './types';

export const setShared = (attachmentId: string, shared: boolean): Promise<Attachment> =>
  call(() => Bound.SetShared(attachmentId, shared));
/** Opens the file in the system viewer (never inside a list); returns the in-app preview URL too. */
export const view = (attachmentId: string): Promise<ViewResult> => call(() => Bound.View(attachmentId));
/** Opens a Documents on File entry in the system viewer. */
export const viewDocument = (documentId: string): Promise<ViewResult> => call(() => Bound.ViewDocument(documentId));
export const remove = (attachmentId: string): Promise<void> => call(() => Bound.Delete(attachmentId));
/** Copies the attachment into the Documents on File of clientId ("" when the thread has one client). */
export const copyToDocuments = (attachmentId: string, clientId: string): Promise<Document> =>
  call(() => Bound.CopyToDocuments(attachmentId, clientId));
/** Deleted attachments an owner or manager can still restore. */
export const recentlyDeleted = (): Promise<DeletedAttachment[]> =>
  call(() => Bound.RecentlyDeleted()).then((l) => l ?? []);
export const restore = (attachmentId: string): Promise<void> => call(() => Bound.Restore(attachmentId));
