// The real src/api/files over a stand-in for the generated Go binding: the
// size limit comes from Go, and a file over it (or empty) never starts an
// upload.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.unmock('./files');
vi.mock('../../wailsjs/go/api/Files', () => ({
  MaxFileBytes: vi.fn(),
  BeginUpload: vi.fn(),
  UploadChunk: vi.fn(),
  FinishUpload: vi.fn(),
  CancelUpload: vi.fn(),
  StagePaths: vi.fn(),
  PickFiles: vi.fn(),
  CheckStore: vi.fn(),
}));

import * as Bound from '../../wailsjs/go/api/Files';
import { stageBrowserFiles, uploadFile } from './files';

const MB = 1024 * 1024;

function fileOf(name: string, size: number): File {
  const f = new File(['x'], name, { type: 'application/pdf' });
  Object.defineProperty(f, 'size', { value: size }); // no need to hold 60 MB in memory
  return f;
}

beforeEach(() => {
  (window as unknown as { go: object }).go = {};
  vi.mocked(Bound.MaxFileBytes).mockResolvedValue(10 * MB);
  vi.mocked(Bound.BeginUpload).mockResolvedValue('upload-1');
  vi.mocked(Bound.FinishUpload).mockResolvedValue({ token: 't', name: 'a', mime: '', typeLabel: '', size: 1 });
});
afterEach(() => {
  delete (window as unknown as { go?: object }).go;
  vi.clearAllMocks();
});

describe('uploadFile', () => {
  it('refuses a file over the limit Go gives before calling the upload', async () => {
    const err = await uploadFile(fileOf('scan.pdf', 60 * MB)).catch((e) => e);
    expect(err.code).toBe('file_too_large');
    expect(err.message).toContain('10 MB');
    expect(Bound.MaxFileBytes).toHaveBeenCalled();
    expect(Bound.BeginUpload).not.toHaveBeenCalled();
    expect(Bound.UploadChunk).not.toHaveBeenCalled();
  });

  it('takes the limit from Go, not from the UI: the same file passes a larger limit', async () => {
    vi.mocked(Bound.MaxFileBytes).mockResolvedValue(100 * MB);
    const small = new File(['hello'], 'note.txt');
    vi.mocked(Bound.UploadChunk).mockResolvedValue();
    await uploadFile(small);
    expect(Bound.BeginUpload).toHaveBeenCalledWith('note.txt', 5);
    const big = fileOf('scan.pdf', 60 * MB);
    vi.mocked(Bound.MaxFileBytes).mockResolvedValue(50 * MB);
    await expect(uploadFile(big)).rejects.toMatchObject({ code: 'file_too_large' });
    expect(Bound.BeginUpload).toHaveBeenCalledTimes(1);
  });

  it('refuses an empty file before calling the upload', async () => {
    const err = await uploadFile(new File([], 'empty.txt')).catch((e) => e);
    expect(err.code).toBe('file_empty');
    expect(Bound.BeginUpload).not.toHaveBeenCalled();
  });
});

describe('stageBrowserFiles', () => {
  it('asks Go for the limit once and sends only the files within it', async () => {
    vi.mocked(Bound.UploadChunk).mockResolvedValue();
    const res = await stageBrowserFiles([fileOf('big.pdf', 11 * MB), new File(['ok'], 'ok.txt'), new File([], 'none.txt')]);
    expect(Bound.MaxFileBytes).toHaveBeenCalledTimes(1);
    expect(Bound.BeginUpload).toHaveBeenCalledTimes(1);
    expect(Bound.BeginUpload).toHaveBeenCalledWith('ok.txt', 2);
    expect(res.files).toHaveLength(1);
    expect(res.problems.map((p) => [p.name, p.code])).toEqual([
      ['big.pdf', 'file_too_large'],
      ['none.txt', 'file_empty'],
    ]);
  });
});
