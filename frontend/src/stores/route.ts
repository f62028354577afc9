// Hash routes: pure parsing and formatting, so back/forward work and the
// rules can be tested without a window.

export const CLIENT_TABS = ['overview', 'appointments', 'docs', 'messages'] as const;
export type ClientTab = (typeof CLIENT_TABS)[number];

export const SETTINGS_SECTIONS = ['security', 'audit', 'deleted', 'files', 'sync', 'backup'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

export type Route =
  | { name: 'home' }
  | { name: 'calendar' }
  | { name: 'clients' }
  | { name: 'client'; clientId: string; tab: ClientTab; threadId: string | null }
  | { name: 'messages'; threadId: string | null }
  | { name: 'inbox' }
  | { name: 'settings'; section: SettingsSection }
  | { name: 'notfound'; path: string };

const dec = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};
const enc = encodeURIComponent;

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  const parts = path === '' ? [] : path.split('/').map(dec);
  const [head, a, b, c, d] = parts;
  switch (head) {
    case undefined:
    case 'home':
      return parts.length <= 1 ? { name: 'home' } : { name: 'notfound', path };
    case 'calendar':
      return parts.length === 1 ? { name: 'calendar' } : { name: 'notfound', path };
    case 'clients': {
      if (parts.length === 1) return { name: 'clients' };
      if (!a) break;
      if (parts.length === 2) return { name: 'client', clientId: a, tab: 'overview', threadId: null };
      if (!(CLIENT_TABS as readonly string[]).includes(b)) break;
      const tab = b as ClientTab;
      if (parts.length === 3) return { name: 'client', clientId: a, tab, threadId: null };
      if (tab === 'messages' && c === 'thread' && d && parts.length === 5)
        return { name: 'client', clientId: a, tab, threadId: d };
      break;
    }
    case 'messages':
      if (parts.length === 1) return { name: 'messages', threadId: null };
      if (a === 'thread' && b && parts.length === 3) return { name: 'messages', threadId: b };
      break;
    case 'inbox':
      return parts.length === 1 ? { name: 'inbox' } : { name: 'notfound', path };
    case 'settings':
      if (parts.length === 1) return { name: 'settings', section: 'security' };
      if (parts.length === 2 && (SETTINGS_SECTIONS as readonly string[]).includes(a))
        return { name: 'settings', section: a as SettingsSection };
      break;
  }
  return { name: 'notfound', path };
}

export function formatRoute(r: Route): string {
  switch (r.name) {
    case 'home':
      return '#/home';
    case 'calendar':
      return '#/calendar';
    case 'clients':
      return '#/clients';
    case 'client': {
      let h = `#/clients/${enc(r.clientId)}`;
      if (r.tab !== 'overview' || r.threadId) h += `/${r.tab}`;
      if (r.tab === 'messages' && r.threadId) h += `/thread/${enc(r.threadId)}`;
      return h;
    }
    case 'messages':
      return r.threadId ? `#/messages/thread/${enc(r.threadId)}` : '#/messages';
    case 'inbox':
      return '#/inbox';
    case 'settings':
      return `#/settings/${r.section}`;
    case 'notfound':
      return `#/${r.path}`;
  }
}

/** Which left-menu item a route belongs to. */
export function section(r: Route): 'home' | 'calendar' | 'clients' | 'messages' | 'inbox' | 'settings' | null {
  switch (r.name) {
    case 'inbox':
    case 'home':
    case 'calendar':
    case 'clients':
    case 'messages':
    case 'settings':
      return r.name;
    case 'client':
      return 'clients';
    default:
      return null;
  }
}
