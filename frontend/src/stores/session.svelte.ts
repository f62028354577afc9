import { onSignedOut } from '../api/errors';
import * as sessionApi from '../api/session';
import type { Session, Staff } from '../api/types';

/**
 * Who is signed in. `staff` null shows the sign-in screen; `lockedBy` set
 * shows the lock screen instead (the app's content is unmounted either way).
 */
class SessionStore {
  current = $state<Session | null>(null);
  loaded = $state(false);
  /** Staff member to preselect on the sign-in screen. */
  lastStaffId = $state<string>('');
  /**
   * The person whose session is locked: the lock screen offers them Unlock
   * and everyone else Switch user. Only their name and initials, never client data.
   */
  lockedBy = $state<Staff | null>(null);

  get staff(): Staff | null {
    return this.lockedBy ? null : (this.current?.staff ?? null);
  }

  /** Minutes without activity before the desk locks itself; 0 = never. */
  get lockAfterMinutes(): number {
    return this.current?.lockAfterMinutes ?? 0;
  }

  async load(): Promise<void> {
    try {
      this.current = await sessionApi.current();
      // A window reloaded while locked comes back to the lock screen.
      if (this.current.lockedBy) this.lockedBy = this.current.lockedBy;
    } catch {
      this.current = null;
    } finally {
      this.loaded = true;
    }
  }

  /**
   * Bumped when a sign-in, sign-out, lock or switch starts and when Go has
   * answered it: a session check asked before or during one is stale.
   */
  #generation = 0;
  /** Sign-ins, sign-outs and locks Go has not answered yet. */
  #changing = 0;

  /** Runs a change of who is signed in; session checks asked meanwhile are dropped. */
  async #change<T>(fn: () => Promise<T>): Promise<T> {
    this.#generation++;
    this.#changing++;
    try {
      return await fn();
    } finally {
      this.#changing--;
      this.#generation++;
    }
  }

  /** Re-reads the session (settings changed); a desk Go says is signed out goes to the lock screen. */
  async refresh(): Promise<void> {
    if (this.lockedBy || this.#changing) return;
    const before = this.current?.staff ?? null;
    const generation = this.#generation;
    try {
      const now = await sessionApi.current();
      // Someone signed in or out while we asked (Switch user right after a
      // change): Go may have answered before or after the sign-out, so this
      // answer says neither "still signed in" nor "locked".
      if (generation !== this.#generation) return;
      if (before && !now.staff) {
        this.#toLockScreen(before);
        this.current = { ...now, staff: null };
      } else {
        this.current = now;
      }
    } catch {
      // keep what we have: the next call will tell
    }
  }

  async signIn(staffId: string, secret: string): Promise<void> {
    this.current = await this.#change(() => sessionApi.signIn(staffId, secret));
    this.lastStaffId = staffId;
    this.lockedBy = null;
  }

  /** Unlocks with the PIN or password of the person who locked the desk. */
  async unlock(secret: string): Promise<void> {
    const who = this.lockedBy;
    if (!who) return;
    await this.signIn(who.id, secret);
  }

  /** From the lock screen to the staff picker: the other person signs in with their own PIN. */
  switchUser(): void {
    this.#generation++;
    this.lastStaffId = '';
    this.lockedBy = null;
    if (this.current) this.current = { ...this.current, staff: null };
  }

  async signOut(): Promise<void> {
    try {
      await this.#change(() => sessionApi.signOut());
    } finally {
      this.lastStaffId = '';
      this.lockedBy = null;
      this.current = this.current ? { ...this.current, staff: null } : null;
    }
  }

  /** Locks the desk (inactivity or the Lock button): Go refuses every call until unlocked. */
  async lock(): Promise<void> {
    const who = this.current?.staff ?? null;
    if (who) this.#toLockScreen(who);
    try {
      await this.#change(() => sessionApi.lock());
    } finally {
      this.current = this.current ? { ...this.current, staff: null } : null;
    }
  }

  /** Go refused a call as not signed in: show the lock screen (or sign-in when nobody was). */
  handleSignedOut(): void {
    const who = this.current?.staff ?? null;
    if (who) this.#toLockScreen(who);
    if (this.current) this.current = { ...this.current, staff: null };
  }

  #toLockScreen(who: Staff) {
    this.lockedBy = { id: who.id, name: who.name, role: who.role, initials: who.initials };
    this.lastStaffId = who.id;
  }
}

export const session = new SessionStore();

onSignedOut(() => session.handleSignedOut());
