// The inactivity timer behind the desk's auto-lock. It counts from the last
// keyboard, mouse, touch or wheel activity anywhere in the window and calls
// onIdle once the limit has passed. It checks elapsed wall time on a short
// interval instead of trusting one long timeout, so a window that was hidden
// or a computer that slept still locks at once when it wakes.

const ACTIVITY = ['keydown', 'mousedown', 'mousemove', 'pointerdown', 'wheel', 'touchstart', 'scroll'] as const;

export interface IdleOptions {
  /** Minutes without activity before onIdle; 0 or less never fires. */
  minutes: number;
  onIdle: () => void;
  target?: Window;
  /** How often elapsed time is checked (ms). */
  checkEveryMs?: number;
}

export class IdleTimer {
  #last = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #fired = false;
  readonly #opts: Required<IdleOptions>;
  readonly #onActivity = () => {
    this.#last = Date.now();
  };

  constructor(opts: IdleOptions) {
    this.#opts = { target: window, checkEveryMs: 5_000, ...opts };
  }

  get limitMs(): number {
    return Math.max(0, this.#opts.minutes) * 60_000;
  }

  /** Starts listening; the clock starts now. */
  start(): void {
    if (this.#timer !== undefined || this.limitMs <= 0) return;
    this.#last = Date.now();
    this.#fired = false;
    for (const ev of ACTIVITY) this.#opts.target.addEventListener(ev, this.#onActivity, { capture: true, passive: true });
    const every = Math.min(this.#opts.checkEveryMs, this.limitMs);
    this.#timer = setInterval(() => this.check(), every);
  }

  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const ev of ACTIVITY) this.#opts.target.removeEventListener(ev, this.#onActivity, { capture: true });
  }

  /** Counts as activity (for example a long job the user is watching). */
  touch(): void {
    this.#last = Date.now();
  }

  /** Fires onIdle (once) when the limit has passed. */
  check(): void {
    if (this.#fired || this.limitMs <= 0) return;
    if (Date.now() - this.#last >= this.limitMs) {
      this.#fired = true;
      this.stop();
      this.#opts.onIdle();
    }
  }
}
