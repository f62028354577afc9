// Switch user right after a change: a session check asked for before the
// sign-out must not be read as "the desk was locked" when it answers after.
import { describe, expect, it, vi } from 'vitest';
import * as sessionApi from '../api/session';
import type { Session } from '../api/types';
import { session } from './session.svelte';

const staff = { id: 's-1', name: 'Marcus Reid', role: 'manager', initials: 'MR' };
const signedIn: Session = { staff, practiceName: 'P', canManage: true, demoPin: '', lockAfterMinutes: 10 };
const signedOut: Session = { ...signedIn, staff: null };

describe('session refresh racing a sign-out', () => {
  it('shows the sign-in screen, not the lock screen, when the answer comes after Switch user', async () => {
    vi.mocked(sessionApi.signIn).mockResolvedValue(signedIn);
    await session.signIn('s-1', '1234');
    let answer: (s: Session) => void = () => {};
    vi.mocked(sessionApi.current).mockReturnValue(new Promise((r) => (answer = r)));
    const refreshing = session.refresh(); // asked while Marcus is signed in
    await session.signOut(); // he switches user
    answer(signedOut); // Go answers after the sign-out
    await refreshing;
    expect(session.lockedBy).toBeNull();
    expect(session.staff).toBeNull();
  });

  it('still goes to the lock screen when the desk was locked behind the UI’s back', async () => {
    vi.mocked(sessionApi.signIn).mockResolvedValue(signedIn);
    await session.signIn('s-1', '1234');
    vi.mocked(sessionApi.current).mockResolvedValue(signedOut);
    await session.refresh();
    expect(session.lockedBy?.name).toBe('Marcus Reid');
    session.switchUser();
  });
});
