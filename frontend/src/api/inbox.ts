import * as Bound from '../../wailsjs/go/api/Inbox';
import { call } from './errors';
import { onEvent } from './runtime';
import type { Document, Inbox, Settings, StagedFile } from './types';

/** The scan inbox folder and the files waiting in it. */
export const list = (): Promise<Inbox> =>
  call(() => Bound.List()).then((r) => ({ folder: r.folder ?? '', files: r.files ?? [] }));
/** Takes a file out of the inbox, staged and ready to send with a message. */
export const attach = (id: string): Promise<StagedFile> => call(() => Bound.Attach(id));
/** Takes a file out of the inbox into a client's Documents on File. */
export const fileToDocuments = (id: string, clientId: string): Promise<Document> =>
  call(() => Bound.FileToDocuments(id, clientId));
/** Native folder dialog for a new scan inbox folder (owner or manager). */
export const chooseFolder = (): Promise<Settings> => call(() => Bound.ChooseFolder());
/** `inbox:changed`: a file arrived, finished or left the inbox. */
export const onInboxChanged = (cb: () => void): (() => void) => onEvent('inbox:changed', () => cb());
