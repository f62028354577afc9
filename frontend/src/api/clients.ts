import * as Bound from '../../wailsjs/go/api/Clients';
import { call } from './errors';
import type { Appointment, ClientProfile, ClientSummary, Document } from './types';

export const search = (query: string): Promise<ClientSummary[]> =>
  call(() => Bound.Search(query)).then((l) => l ?? []);
export const profile = (clientId: string): Promise<ClientProfile> => call(() => Bound.Profile(clientId));
export const setAlert = (clientId: string, text: string): Promise<ClientProfile> =>
  call(() => Bound.SetAlert(clientId, text));
export const appointments = (clientId: string): Promise<Appointment[]> =>
  call(() => Bound.Appointments(clientId)).then((l) => l ?? []);
export const documents = (clientId: string): Promise<Document[]> =>
  call(() => Bound.Documents(clientId)).then((l) => l ?? []);
