import { describe, expect, it } from 'vitest';
import { Kind } from '../api/events';
import { concerns } from './datachanged.svelte';

describe('which changes a view reloads for', () => {
  const list = [Kind.Threads, Kind.Messages, Kind.Attachments]; // the Messages tab
  const thread = [Kind.Messages, Kind.Attachments]; // an open thread

  it('only the kinds the view shows, and everything after hub changes or a restore', () => {
    expect(concerns(list, { what: Kind.Attachments })).toBe(true);
    expect(concerns(list, { what: Kind.Appointments })).toBe(false);
    expect(concerns(list, { what: Kind.Documents })).toBe(false);
    expect(concerns([Kind.Appointments], { what: Kind.Sync })).toBe(true);
    expect(concerns([Kind.Settings], { what: Kind.Restore })).toBe(true);
  });

  it('for a thread: changes in that thread or in no one thread, never the thread being read', () => {
    expect(concerns(thread, { what: Kind.Messages, threadId: 't-1' }, 't-1')).toBe(true);
    expect(concerns(thread, { what: Kind.Messages, threadId: 't-2' }, 't-1')).toBe(false);
    expect(concerns(thread, { what: Kind.Attachments }, 't-1')).toBe(true);
    expect(concerns(thread, { what: Kind.Threads, threadId: 't-1' }, 't-1')).toBe(false);
  });
});
