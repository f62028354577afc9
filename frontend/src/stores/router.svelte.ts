import { formatRoute, parseHash, type Route } from './route';

export * from './route';

/** The current route, kept in step with location.hash. */
class Router {
  route = $state<Route>({ name: 'home' });
  #started = false;

  constructor() {
    if (typeof window !== 'undefined') this.route = parseHash(window.location.hash);
  }

  /** Starts following hashchange; returns the stop function. Safe to call twice. */
  start(): () => void {
    if (this.#started || typeof window === 'undefined') return () => {};
    this.#started = true;
    const onChange = () => {
      this.route = parseHash(window.location.hash);
    };
    window.addEventListener('hashchange', onChange);
    onChange();
    return () => {
      window.removeEventListener('hashchange', onChange);
      this.#started = false;
    };
  }

  /** Navigates; `replace` keeps the history entry (for redirects and tab state). */
  go(to: Route | string, opts: { replace?: boolean } = {}): void {
    const hash = typeof to === 'string' ? to : formatRoute(to);
    const route = parseHash(hash);
    if (typeof window !== 'undefined') {
      if (window.location.hash !== hash) {
        if (opts.replace) history.replaceState(history.state, '', hash);
        else history.pushState(history.state, '', hash);
      }
    }
    // pushState does not fire hashchange: update ourselves.
    this.route = route;
  }
}

export const router = new Router();
