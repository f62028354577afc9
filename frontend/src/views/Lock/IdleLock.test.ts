import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import * as sessionApi from '../../api/session';
import { IdleTimer } from '../../lib/idle';
import { session } from '../../stores/session.svelte';
import IdleLock from './IdleLock.svelte';
import LockScreen from './LockScreen.svelte';

const olivia = { id: 's-own', name: 'Olivia Hart', role: 'owner', initials: 'OH' };

function signedIn(minutes = 1) {
  session.current = { staff: olivia, practiceName: 'Riverbend Wellness (demo)', canManage: true, demoPin: '', lockAfterMinutes: minutes };
  session.lockedBy = null;
  session.loaded = true;
}

describe('IdleTimer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires once after the limit without activity, and activity restarts the count', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer({ minutes: 2, onIdle });
    t.start();
    vi.advanceTimersByTime(90_000);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    vi.advanceTimersByTime(90_000);
    expect(onIdle).not.toHaveBeenCalled();
    window.dispatchEvent(new MouseEvent('mousemove'));
    vi.advanceTimersByTime(119_000);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(6_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(600_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    t.stop();
  });

  it('locks at once when the computer wakes after sleeping past the limit', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer({ minutes: 1, onIdle });
    t.start();
    vi.setSystemTime(Date.now() + 10 * 60_000); // clock jumps, no timers ran
    t.check();
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('never fires when the limit is 0', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer({ minutes: 0, onIdle });
    t.start();
    vi.advanceTimersByTime(24 * 3600_000);
    expect(onIdle).not.toHaveBeenCalled();
  });
});

describe('IdleLock', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('calls Session.Lock after lockAfterMinutes of no keyboard or mouse, not before', async () => {
    signedIn(1);
    render(IdleLock, { minutes: 1 });
    vi.advanceTimersByTime(50_000);
    await fireEvent.mouseDown(document.body);
    vi.advanceTimersByTime(50_000);
    expect(sessionApi.lock).not.toHaveBeenCalled();
    vi.advanceTimersByTime(15_000);
    expect(sessionApi.lock).toHaveBeenCalledTimes(1);
    expect(session.lockedBy?.name).toBe('Olivia Hart');
    expect(session.staff).toBeNull();
  });

  it('stops counting when unmounted (signed out)', () => {
    signedIn(1);
    const { unmount } = render(IdleLock, { minutes: 1 });
    unmount();
    vi.advanceTimersByTime(5 * 60_000);
    expect(sessionApi.lock).not.toHaveBeenCalled();
  });
});

describe('LockScreen', () => {
  it('unlocks with the same person’s PIN and shows why a wrong PIN failed', async () => {
    signedIn(10);
    await session.lock();
    vi.mocked(sessionApi.signIn).mockRejectedValueOnce(new ApiError('bad_credentials', 'That PIN or password is not right.'));
    render(LockScreen);
    expect(screen.getByRole('heading', { name: 'ClinicDesk is locked' })).toBeTruthy();
    const pin = screen.getByLabelText('PIN or password for Olivia Hart');
    await fireEvent.input(pin, { target: { value: '1111' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    expect((await screen.findByRole('alert')).textContent).toContain('That PIN or password is not right.');
    expect(session.lockedBy).not.toBeNull();

    vi.mocked(sessionApi.signIn).mockResolvedValueOnce({ ...session.current!, staff: olivia });
    await fireEvent.input(pin, { target: { value: '246810' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    await waitFor(() => expect(session.lockedBy).toBeNull());
    expect(sessionApi.signIn).toHaveBeenLastCalledWith('s-own', '246810');
    expect(session.staff?.name).toBe('Olivia Hart');
  });

  it('Switch user leaves the lock screen for the staff picker', async () => {
    signedIn(10);
    await session.lock();
    render(LockScreen);
    await fireEvent.click(screen.getByRole('button', { name: /Switch user/ }));
    expect(session.lockedBy).toBeNull();
    expect(session.staff).toBeNull();
    expect(session.lastStaffId).toBe('');
  });

  it('a call refused as not signed in anywhere goes to the lock screen', async () => {
    signedIn(10);
    const { call } = await import('../../api/errors');
    (window as unknown as { go: object }).go = {};
    try {
      await expect(call(() => Promise.reject(JSON.stringify({ code: 'not_signed_in', message: 'Please sign in.' })))).rejects.toThrow();
    } finally {
      delete (window as unknown as { go?: object }).go;
    }
    expect(session.lockedBy?.id).toBe('s-own');
    expect(session.staff).toBeNull();
  });
});
