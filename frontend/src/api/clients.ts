import * as Bound from '../../wailsjs/go/api/Clients';
import { dto } from '../../wailsjs/go/models';
import { call } from './errors';
import type { Appointment, ClientProfile, ClientSummary, Document, OutgoingFile } from './types';

export const search = (query: string): Promise<ClientSummary[]> =>
  call(() => Bound.Search(query)).then((l) => l ?? []);
export const profile = (clientId: string): Promise<ClientProfile> => call(() => Bound.Profile(clientId));
export const setAlert = (clientId: string, text: string): Promise<ClientProfile> =>
  call(() => Bound.SetAlert(clientId, text));
export const appointments = (clientId: string): Promise<Appointment[]> =>
  call(() => Bound.Appointments(clientId)).then((l) => l ?? []);
export const documents = (clientId: string): Promise<Document[]> =>
  call(() => Bound.Documents(clientId)).then((l) => l ?? []);

/** Files staged files (dropped or picked onto Docs & Forms) in the client's Documents on File. */
export const addDocuments = (clientId: string, files: OutgoingFile[]): Promise<Document[]> =>
  call(() => Bound.AddDocuments(clientId, files.map((f) => dto.OutgoingFile.createFrom(f)))).then((l) => l ?? []);
