import { describe, expect, it } from 'vitest';
import { formatRoute, parseHash, section, SETTINGS_SECTIONS } from './route';

describe('Settings sections and the scan inbox in the URL', () => {
  it('round-trips every Settings section and defaults to Security', () => {
    for (const s of SETTINGS_SECTIONS) {
      const r = { name: 'settings' as const, section: s };
      expect(parseHash(formatRoute(r))).toEqual(r);
    }
    expect(parseHash('#/settings')).toEqual({ name: 'settings', section: 'security' });
    expect(parseHash('#/settings/nope').name).toBe('notfound');
  });

  it('has a scan inbox page in the left menu', () => {
    expect(parseHash('#/inbox')).toEqual({ name: 'inbox' });
    expect(formatRoute({ name: 'inbox' })).toBe('#/inbox');
    expect(section({ name: 'inbox' })).toBe('inbox');
    expect(parseHash('#/inbox/x').name).toBe('notfound');
  });
});
