import * as Bound from '../../wailsjs/go/api/Audit';
import { dto } from '../../wailsjs/go/models';
import { call } from './errors';
import type { AuditAction, AuditChain, AuditExport, AuditFilter, AuditPage } from './types';

/** One page of the audit log, newest first (owner or manager). */
export const list = (filter: AuditFilter): Promise<AuditPage> =>
  call(() => Bound.List(dto.AuditFilter.createFrom(filter))).then((p) => ({
    entries: (p.entries ?? []).map((e) => ({ ...e, detail: e.detail ?? {} })),
    total: p.total ?? 0,
    limit: p.limit ?? filter.limit,
    offset: p.offset ?? filter.offset,
  }));
/** The choices of the action filter. */
export const actions = (): Promise<AuditAction[]> => call(() => Bound.Actions()).then((l) => l ?? []);
/** Shows the native save dialog; "" when cancelled. */
export const chooseExportPath = (): Promise<string> => call(() => Bound.ChooseExportPath()).then((p) => p ?? '');
/** Writes every entry matching filter to path as CSV (the export is itself audited). */
export const exportCsv = (filter: AuditFilter, path: string): Promise<AuditExport> =>
  call(() => Bound.Export(dto.AuditFilter.createFrom(filter), path));
/** Checks the hash chain of the whole log. */
export const verifyChain = (): Promise<AuditChain> => call(() => Bound.VerifyChain());
