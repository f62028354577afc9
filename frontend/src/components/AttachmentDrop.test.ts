import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import * as filesApi from '../api/files';
import type { StagedFile } from '../api/types';
import AttachmentDrop from './AttachmentDrop.svelte';

// As in Go: every staging gets a new random token, even for the same bytes.
let tokens = 0;
function staged(name: string): StagedFile {
  tokens += 1;
  return { token: `stg_${tokens}`, name, mime: 'image/png', typeLabel: 'Image', size: 2048 };
}

async function pick(container: HTMLElement, names: string[]) {
  const input = container.querySelector('input[type=file]') as HTMLInputElement;
  const list = names.map((n) => new File(['same bytes'], n, { type: 'image/png' }));
  Object.defineProperty(input, 'files', { value: list, configurable: true });
  await fireEvent.change(input);
}

describe('AttachmentDrop', () => {
  it('keeps a second file with the same bytes under its own name', async () => {
    vi.mocked(filesApi.stageBrowserFiles)
      .mockResolvedValueOnce({ files: [staged('card-front.png')], problems: [], cancelled: false })
      .mockResolvedValueOnce({ files: [staged('card-back.png')], problems: [], cancelled: false });
    const { container } = render(AttachmentDrop, {});
    await pick(container, ['card-front.png']);
    await screen.findByText('card-front.png');
    await pick(container, ['card-back.png']);
    const list = await screen.findByRole('list', { name: 'Files to be sent' });
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(2));
    expect(within(list).getByText('card-front.png')).toBeTruthy();
    expect(within(list).getByText('card-back.png')).toBeTruthy();
  });

  it('keeps both when they arrive in one drop', async () => {
    vi.mocked(filesApi.stageBrowserFiles).mockResolvedValueOnce({
      files: [staged('page-1.png'), staged('page-2.png')],
      problems: [],
      cancelled: false,
    });
    const { container } = render(AttachmentDrop, {});
    await pick(container, ['page-1.png', 'page-2.png']);
    const list = await screen.findByRole('list', { name: 'Files to be sent' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
  });

  it('says so when the very same file is added again', async () => {
    vi.mocked(filesApi.stageBrowserFiles).mockResolvedValue({ files: [staged('letter.png')], problems: [], cancelled: false });
    const { container } = render(AttachmentDrop, {});
    await pick(container, ['letter.png']);
    await screen.findByText('letter.png');
    await pick(container, ['letter.png']);
    expect((await screen.findByRole('status')).textContent).toContain('letter.png is already in this message.');
    expect(within(screen.getByRole('list', { name: 'Files to be sent' })).getAllByRole('listitem')).toHaveLength(1);
  });
});
