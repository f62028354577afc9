import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import AboutDialog from './AboutDialog.svelte';
import * as about from '../../../api/about';
import { ApiError } from '../../../api/errors';

vi.mock('../../../api/about', () => ({ info: vi.fn() }));

describe('About dialog', () => {
  it('shows the version, build, data folder, schema and hub Go reports', async () => {
    vi.mocked(about.info).mockResolvedValue({
      version: 'v1.2.0-3-gabc1234',
      build: 'abc1234, go1.26.8',
      dataDir: '/home/desk/.config/ClinicDesk',
      schemaVersion: 5,
      hubUrl: 'https://hub.riverbend.example',
    });
    render(AboutDialog, { open: true });
    expect(await screen.findByText('v1.2.0-3-gabc1234')).toBeTruthy();
    expect(screen.getByText('abc1234, go1.26.8')).toBeTruthy();
    expect(screen.getByText('/home/desk/.config/ClinicDesk')).toBeTruthy();
    expect(screen.getByText('5')).toBeTruthy();
    expect(screen.getByText('https://hub.riverbend.example')).toBeTruthy();
  });

  it('says a desk without a hub works on its own, and shows a refusal in words', async () => {
    vi.mocked(about.info).mockResolvedValueOnce({ version: 'dev', build: 'x', dataDir: '/d', schemaVersion: 5, hubUrl: '' });
    const { unmount } = render(AboutDialog, { open: true });
    expect(await screen.findByText(/Not connected/)).toBeTruthy();
    unmount();
    vi.mocked(about.info).mockRejectedValueOnce(new ApiError('not_signed_in', 'Please sign in again.'));
    render(AboutDialog, { open: true });
    expect((await screen.findByRole('alert')).textContent).toContain('sign in');
  });
});
