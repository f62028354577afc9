import { describe, expect, it } from 'vitest';
import { formatRoute, parseHash, type Route } from './route';
import { router } from './router.svelte';

describe('parseHash', () => {
  it('reads every screen', () => {
    expect(parseHash('')).toEqual({ name: 'home' });
    expect(parseHash('#/home')).toEqual({ name: 'home' });
    expect(parseHash('#/calendar')).toEqual({ name: 'calendar' });
    expect(parseHash('#/clients')).toEqual({ name: 'clients' });
    expect(parseHash('#/clients/c-1')).toEqual({ name: 'client', clientId: 'c-1', tab: 'overview', threadId: null });
    expect(parseHash('#/clients/c-1/messages')).toEqual({ name: 'client', clientId: 'c-1', tab: 'messages', threadId: null });
    expect(parseHash('#/clients/c-1/messages/thread/t-9')).toEqual({
      name: 'client',
      clientId: 'c-1',
      tab: 'messages',
      threadId: 't-9',
    });
    expect(parseHash('#/messages')).toEqual({ name: 'messages', threadId: null });
    expect(parseHash('#/messages/thread/t-2')).toEqual({ name: 'messages', threadId: 't-2' });
    expect(parseHash('#/settings/security')).toEqual({ name: 'settings', section: 'security' });
  });
  it('sends unknown paths to not-found', () => {
    expect(parseHash('#/clients/c-1/bogus').name).toBe('notfound');
    expect(parseHash('#/nowhere').name).toBe('notfound');
  });
});

describe('formatRoute', () => {
  it('round-trips, ids with odd characters included', () => {
    const routes: Route[] = [
      { name: 'home' },
      { name: 'calendar' },
      { name: 'clients' },
      { name: 'client', clientId: 'c/1 x', tab: 'overview', threadId: null },
      { name: 'client', clientId: 'c-1', tab: 'docs', threadId: null },
      { name: 'client', clientId: 'c-1', tab: 'messages', threadId: 't#1' },
      { name: 'messages', threadId: null },
      { name: 'messages', threadId: 't-1' },
      { name: 'settings', section: 'security' },
    ];
    for (const r of routes) expect(parseHash(formatRoute(r))).toEqual(r);
  });
});

describe('router', () => {
  it('follows navigation and the back button', async () => {
    const stop = router.start();
    router.go({ name: 'clients' });
    expect(window.location.hash).toBe('#/clients');
    expect(router.route).toEqual({ name: 'clients' });
    router.go({ name: 'client', clientId: 'c-1', tab: 'messages', threadId: 't-1' });
    expect(window.location.hash).toBe('#/clients/c-1/messages/thread/t-1');
    // the user presses Back
    window.location.hash = '#/clients';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(router.route).toEqual({ name: 'clients' });
    stop();
  });
});
