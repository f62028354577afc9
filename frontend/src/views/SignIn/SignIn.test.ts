import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import * as sessionApi from '../../api/session';
import SignIn from './SignIn.svelte';

const staff = [
  { id: 's-1', name: 'Dana Reyes', role: 'front_desk', initials: 'DR' },
  { id: 's-2', name: 'Sam Lee', role: 'clinician', initials: 'SL' },
];

describe('Sign in', () => {
  it('lists staff and shows why a sign-in failed', async () => {
    vi.mocked(sessionApi.staffList).mockResolvedValue(staff);
    vi.mocked(sessionApi.signIn).mockRejectedValue(
      new ApiError('bad_credentials', 'That PIN or password is not right. Please try again.'),
    );
    render(SignIn);
    await fireEvent.click(await screen.findByText('Sam Lee'));
    const pin = await screen.findByLabelText('PIN or password for Sam Lee');
    await fireEvent.input(pin, { target: { value: '0000' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(sessionApi.signIn).toHaveBeenCalledWith('s-2', '0000'));
    expect((await screen.findByRole('alert')).textContent).toContain('That PIN or password is not right. Please try again.');
    expect(pin.getAttribute('aria-invalid')).toBe('true');
  });

  it('explains when the staff list cannot be loaded', async () => {
    vi.mocked(sessionApi.staffList).mockRejectedValue({ code: 'internal', message: '' });
    render(SignIn);
    expect((await screen.findByRole('alert')).textContent).toMatch(/Something went wrong/);
  });
});
