import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ComposeDialog from './ComposeDialog.svelte';

const props = { open: true, clientId: 'c-1', clientName: 'Alex Moreno' };

describe('ComposeDialog', () => {
  it('closes at once on Cancel when nothing was written', async () => {
    render(ComposeDialog, props);
    const dialog = await screen.findByRole('dialog', { name: 'New message' });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'New message' })).toBeNull());
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('asks “Discard this message?” before Escape throws away typed text, and keeps it on “Keep writing”', async () => {
    render(ComposeDialog, props);
    const dialog = await screen.findByRole('dialog', { name: 'New message' });
    const body = within(dialog).getByLabelText('Message') as HTMLTextAreaElement;
    await fireEvent.input(body, { target: { value: 'Your results are in.' } });
    await fireEvent.keyDown(body, { key: 'Escape' });
    const ask = await screen.findByRole('alertdialog', { name: 'Discard this message?' });
    await fireEvent.click(within(ask).getByRole('button', { name: 'Keep writing' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(screen.getByRole('dialog', { name: 'New message' })).toBeTruthy();
    expect((screen.getByLabelText('Message') as HTMLTextAreaElement).value).toBe('Your results are in.');
  });

  it('asks before Cancel discards a subject, and closes on Discard', async () => {
    render(ComposeDialog, props);
    const dialog = await screen.findByRole('dialog', { name: 'New message' });
    await fireEvent.input(within(dialog).getByLabelText('Subject'), { target: { value: 'Results' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    const ask = await screen.findByRole('alertdialog', { name: 'Discard this message?' });
    expect(screen.getByRole('dialog', { name: 'New message' })).toBeTruthy();
    await fireEvent.click(within(ask).getByRole('button', { name: 'Discard' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'New message' })).toBeNull());
  });
});
