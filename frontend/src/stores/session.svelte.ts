import * as sessionApi from '../api/session';
import type { Session, Staff } from '../api/types';

/** Who is signed in. `staff` null shows the sign-in screen. */
class SessionStore {
  current = $state<Session | null>(null);
  loaded = $state(false);
  /** Staff member to preselect on the sign-in screen (after Lock). */
  lastStaffId = $state<string>('');

  get staff(): Staff | null {
    return this.current?.staff ?? null;
  }

  async load(): Promise<void> {
    try {
      this.current = await sessionApi.current();
    } catch {
      this.current = null;
    } finally {
      this.loaded = true;
    }
  }

  async signIn(staffId: string, secret: string): Promise<void> {
    this.current = await sessionApi.signIn(staffId, secret);
    this.lastStaffId = staffId;
  }

  async signOut(): Promise<void> {
    try {
      await sessionApi.signOut();
    } finally {
      this.lastStaffId = '';
      this.current = this.current ? { ...this.current, staff: null } : null;
    }
  }

  async lock(): Promise<void> {
    const id = this.staff?.id ?? '';
    try {
      await sessionApi.lock();
    } finally {
      this.lastStaffId = id;
      this.current = this.current ? { ...this.current, staff: null } : null;
    }
  }
}

export const session = new SessionStore();
