// Windowed rendering for long lists and tables (10,000 rows and more): only
// the rows in view, plus a few on each side, are in the DOM.
//
// The arithmetic is @tanstack/virtual-core's (measured row heights, scroll
// anchoring, scrollToIndex). Its Svelte adapter, @tanstack/svelte-virtual,
// wraps it in a Svelte 3 store that does not follow a scroll element bound
// later with runes (TanStack/virtual#866), so this is the same thin adapter
// written with runes: a `version` counter that the core bumps on change.
import { untrack } from 'svelte';
import {
  elementScroll,
  observeElementOffset,
  observeElementRect,
  Virtualizer,
  type VirtualItem,
} from '@tanstack/virtual-core';

export interface VirtualOptions {
  /** How many rows there are. */
  count: number;
  /** A row's height before it is measured, in pixels. */
  estimateSize: number;
  /** Rows rendered beyond each edge of the view (keyboard focus can move into them). */
  overscan?: number;
  /** A stable key per row, so a re-sorted list keeps its measurements. */
  getItemKey?: (index: number) => string | number;
}

/** Without layout (jsdom, a hidden panel) the view is taken to be this tall. */
const FALLBACK_HEIGHT = 900;

export class VirtualRows {
  #v: Virtualizer<HTMLElement, HTMLElement>;
  #version = $state(0);
  #el: HTMLElement | null = null;
  #unmount: (() => void) | null = null;

  constructor(opts: VirtualOptions) {
    this.#v = new Virtualizer<HTMLElement, HTMLElement>({
      ...this.#options(opts),
      getScrollElement: () => this.#el,
      observeElementRect: (inst, cb) =>
        observeElementRect(inst, (r) => cb(r.height > 0 ? r : { width: r.width, height: FALLBACK_HEIGHT })),
      observeElementOffset,
      scrollToFn: elementScroll,
      initialRect: { width: 0, height: FALLBACK_HEIGHT },
      onChange: () => this.#bump(),
    });
  }

  /** Tells readers of items/totalSize to look again; never a dependency of the caller. */
  #bump(): void {
    untrack(() => {
      this.#version = this.#version + 1;
    });
  }

  #options(o: VirtualOptions) {
    return {
      count: o.count,
      estimateSize: () => o.estimateSize,
      overscan: o.overscan ?? 8,
      getItemKey: o.getItemKey ?? ((i: number) => i),
    };
  }

  /** New count or keys (the list changed). */
  update(opts: VirtualOptions): void {
    this.#v.setOptions({ ...this.#v.options, ...this.#options(opts) });
    this.#v._willUpdate();
    this.#bump();
  }

  /** Svelte action for the scroll container. */
  scroller = (node: HTMLElement) => {
    this.#el = node;
    this.#v._willUpdate();
    this.#unmount = this.#v._didMount();
    this.#bump();
    return {
      destroy: () => {
        this.#unmount?.();
        this.#unmount = null;
        this.#el = null;
      },
    };
  };

  /** Svelte action for a rendered row (with data-index): its real height is used. */
  measure = (node: HTMLElement) => {
    queueMicrotask(() => this.#v.measureElement(node));
    return {
      destroy: () => {
        // nothing: the core forgets rows that leave
      },
    };
  };

  get items(): VirtualItem[] {
    void this.#version;
    return this.#v.getVirtualItems();
  }

  get totalSize(): number {
    void this.#version;
    return this.#v.getTotalSize();
  }

  /** Space above the first rendered row (for tables, drawn by a spacer row). */
  get paddingTop(): number {
    const items = this.items;
    return items.length ? items[0].start : 0;
  }

  /** Space below the last rendered row. */
  get paddingBottom(): number {
    const items = this.items;
    return items.length ? Math.max(0, this.totalSize - items[items.length - 1].end) : 0;
  }

  scrollToIndex(index: number): void {
    this.#v.scrollToIndex(index, { align: 'auto' });
  }
}

/**
 * Arrow-key movement between rows of a windowed list: Up/Down, Page Up/Down,
 * Home/End focus the row's first control, scrolling it into the window first.
 * `focusables` finds the control of row i in the container (once rendered).
 */
export function rowKeys(
  rows: VirtualRows,
  count: () => number,
  focusable: (index: number) => HTMLElement | null,
): (e: KeyboardEvent) => void {
  return (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const target = e.target as HTMLElement | null;
    const row = target?.closest<HTMLElement>('[data-index]');
    if (!row) return;
    const i = Number(row.dataset.index);
    const n = count();
    let next: number;
    switch (e.key) {
      case 'ArrowDown':
        next = i + 1;
        break;
      case 'ArrowUp':
        next = i - 1;
        break;
      case 'PageDown':
        next = i + 10;
        break;
      case 'PageUp':
        next = i - 10;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = n - 1;
        break;
      default:
        return;
    }
    // Arrow keys inside a text field or a menu keep their own meaning.
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
    e.preventDefault();
    next = Math.max(0, Math.min(n - 1, next));
    if (next === i) return;
    rows.scrollToIndex(next);
    let tries = 0;
    const focusWhenThere = () => {
      const el = focusable(next);
      if (el) el.focus();
      else if (tries++ < 10) requestAnimationFrame(focusWhenThere);
    };
    requestAnimationFrame(focusWhenThere);
  };
}
