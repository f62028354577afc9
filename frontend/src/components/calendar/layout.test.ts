import { describe, expect, it } from 'vitest';
import { MIN_SPAN, layoutDay, type Span } from './layout';

const id = (s: Span & { id: string }) => s;
const lay = (items: (Span & { id: string })[]) =>
  Object.fromEntries(layoutDay(items, id).map((p) => [p.item.id, { col: p.col, cols: p.cols }]));

describe('layoutDay', () => {
  it('gives an appointment alone the whole width', () => {
    expect(lay([{ id: 'a', start: 540, end: 590 }])).toEqual({ a: { col: 0, cols: 1 } });
  });

  it('puts two overlapping appointments side by side, the earlier on the left', () => {
    expect(
      lay([
        { id: 'late', start: 560, end: 620 },
        { id: 'early', start: 540, end: 590 },
      ]),
    ).toEqual({ early: { col: 0, cols: 2 }, late: { col: 1, cols: 2 } });
  });

  it('does not count back-to-back appointments as overlapping', () => {
    expect(
      lay([
        { id: 'a', start: 540, end: 600 },
        { id: 'b', start: 600, end: 660 },
      ]),
    ).toEqual({ a: { col: 0, cols: 1 }, b: { col: 0, cols: 1 } });
  });

  it('reuses a freed column inside a chain of overlaps and sizes the whole chain alike', () => {
    // a overlaps b, b overlaps c, a ends before c starts: two columns, c under a.
    expect(
      lay([
        { id: 'a', start: 540, end: 600 },
        { id: 'b', start: 570, end: 660 },
        { id: 'c', start: 610, end: 700 },
      ]),
    ).toEqual({ a: { col: 0, cols: 2 }, b: { col: 1, cols: 2 }, c: { col: 0, cols: 2 } });
  });

  it('sizes separate clusters independently', () => {
    expect(
      lay([
        { id: 'a', start: 540, end: 600 },
        { id: 'b', start: 540, end: 600 },
        { id: 'c', start: 545, end: 600 },
        { id: 'd', start: 700, end: 760 },
      ]),
    ).toEqual({ a: { col: 0, cols: 3 }, b: { col: 1, cols: 3 }, c: { col: 2, cols: 3 }, d: { col: 0, cols: 1 } });
  });

  it('puts the longer of two appointments starting together on the left', () => {
    expect(
      lay([
        { id: 'short', start: 540, end: 570 },
        { id: 'long', start: 540, end: 660 },
      ]),
    ).toEqual({ long: { col: 0, cols: 2 }, short: { col: 1, cols: 2 } });
  });

  it('gives a zero-length appointment a minimum height that still counts for overlap', () => {
    const out = layoutDay(
      [
        { id: 'zero', start: 540, end: 540 },
        { id: 'next', start: 545, end: 600 },
      ],
      id,
    );
    expect(out[0].end - out[0].start).toBe(MIN_SPAN);
    expect(out.map((p) => p.cols)).toEqual([2, 2]);
  });
});
