// Docs & Forms: files dropped or picked are staged, then filed in Documents
// on File; names open in the viewer and images/PDFs preview here.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as attachmentsApi from '../../api/attachments';
import * as clientsApi from '../../api/clients';
import * as filesApi from '../../api/files';
import type { Document } from '../../api/types';
import DocsTab from './DocsTab.svelte';

const doc = (over: Partial<Document> = {}): Document => ({
  id: 'd-1',
  name: 'referral.pdf',
  mime: 'application/pdf',
  typeLabel: 'PDF',
  size: 2048,
  addedBy: 'Dana Reyes',
  addedAt: '2026-02-01T10:00:00Z',
  fromAttachment: false,
  canPreview: true,
  ...over,
});

function dropOn(el: Element, files: File[]) {
  const dataTransfer = { files, types: ['Files'], dropEffect: 'none' };
  return fireEvent.drop(el, { dataTransfer });
}

describe('Docs & Forms', () => {
  it('files dropped files in Documents on File and shows them', async () => {
    vi.mocked(clientsApi.documents).mockResolvedValueOnce([]).mockResolvedValue([doc()]);
    vi.mocked(filesApi.stageBrowserFiles).mockResolvedValue({
      files: [{ token: 'tok-1', name: 'referral.pdf', mime: 'application/pdf', typeLabel: 'PDF', size: 2048 }],
      problems: [],
      cancelled: false,
    });
    vi.mocked(clientsApi.addDocuments).mockResolvedValue([doc()]);
    render(DocsTab, { clientId: 'c-1', clientName: 'Alex Moreno' });
    expect(await screen.findByText('No documents on file')).toBeTruthy();
    await dropOn(screen.getByRole('group', { name: /You can drop files here/ }), [new File(['%PDF-1.4'], 'referral.pdf')]);
    await waitFor(() => expect(clientsApi.addDocuments).toHaveBeenCalledWith('c-1', [{ token: 'tok-1', name: 'referral.pdf' }]));
    expect(await screen.findByRole('button', { name: 'Open referral.pdf' })).toBeTruthy();
  });

  it('shows a refused file beside its name and files nothing', async () => {
    vi.mocked(filesApi.stageBrowserFiles).mockResolvedValue({
      files: [],
      problems: [{ name: 'tool.exe', code: 'file_type', message: 'Programs and scripts cannot be added.' }],
      cancelled: false,
    });
    render(DocsTab, { clientId: 'c-1' });
    await dropOn(await screen.findByRole('group', { name: /You can drop files here/ }), [new File(['x'], 'tool.exe')]);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('tool.exe');
    expect(alert.textContent).toContain('Programs and scripts cannot be added.');
    expect(clientsApi.addDocuments).not.toHaveBeenCalled();
  });

  it('opens a document by its name and previews an image or PDF here', async () => {
    vi.mocked(clientsApi.documents).mockResolvedValue([doc(), doc({ id: 'd-2', name: 'notes.txt', mime: 'text/plain', canPreview: false })]);
    render(DocsTab, { clientId: 'c-1' });
    await fireEvent.click(await screen.findByRole('button', { name: 'Open referral.pdf' }));
    await waitFor(() => expect(attachmentsApi.viewDocument).toHaveBeenCalledWith('d-1'));
    expect(screen.getByRole('button', { name: 'Preview referral.pdf here' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Preview notes.txt here' })).toBeNull();
  });
});
