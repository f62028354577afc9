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

  // Issue 11 item 8: a check asked while Switch user is on its way to Go.
  // Go runs each call on its own goroutine, so Current may answer from before
  // the sign-out ("still signed in") or after it ("signed out"); either way
  // the answer arriving after the sign-out must leave the sign-in screen.
  for (const [said, answerWith] of [
    ['still signed in', signedIn],
    ['signed out', signedOut],
  ] as const) {
    it(`shows the sign-in screen when a check asked during Switch user answers “${said}” after it`, async () => {
      vi.mocked(sessionApi.signIn).mockResolvedValue(signedIn);
      await session.signIn('s-1', '1234');
      let signedOutInGo: () => void = () => {};
      vi.mocked(sessionApi.signOut).mockReturnValue(new Promise<void>((r) => (signedOutInGo = r)));
      let answer: (s: Session) => void = () => {};
      vi.mocked(sessionApi.current).mockReturnValue(new Promise((r) => (answer = r)));
      const switching = session.signOut(); // he clicks Switch user
      const refreshing = session.refresh(); // a reload asks who is signed in meanwhile
      signedOutInGo();
      await switching;
      answer(answerWith);
      await refreshing;
      expect(session.staff).toBeNull();
      expect(session.lockedBy).toBeNull();
    });
  }

  it('still goes to the lock screen when the desk was locked behind the UI’s back', async () => {
    vi.mocked(sessionApi.signIn).mockResolvedValue(signedIn);
    await session.signIn('s-1', '1234');
    vi.mocked(sessionApi.current).mockResolvedValue(signedOut);
    await session.refresh();
    expect(session.lockedBy?.name).toBe('Marcus Reid');
    session.switchUser();
  });
});
