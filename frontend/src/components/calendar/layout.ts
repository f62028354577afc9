// Lays out one day's appointments so none hide another: appointments that
// overlap (directly or through a chain) form a cluster; inside a cluster each
// appointment takes the first column free at its start, and every member of
// the cluster is as wide as 1 / (the cluster's column count). Pure, so it is
// tested without a DOM.

export interface Span {
  /** minutes since the day's midnight */
  start: number;
  end: number;
}

export interface Placed<T> extends Span {
  item: T;
  /** 0-based column inside the cluster */
  col: number;
  /** columns in the cluster */
  cols: number;
}

/** Shortest height an appointment is given, so a 0–10 minute one stays clickable. */
export const MIN_SPAN = 15;

export function layoutDay<T>(items: readonly T[], spanOf: (item: T) => Span): Placed<T>[] {
  const spans = items
    .map((item, i) => {
      const s = spanOf(item);
      return { item, i, start: s.start, end: Math.max(s.end, s.start + MIN_SPAN) };
    })
    // earlier first; at the same start the longer one takes the left column
    .sort((a, b) => a.start - b.start || b.end - a.end || a.i - b.i);

  const out: Placed<T>[] = [];
  let cluster: Placed<T>[] = [];
  let colEnds: number[] = []; // end of the last appointment in each column
  let clusterEnd = -Infinity;

  const close = () => {
    for (const p of cluster) p.cols = colEnds.length;
    out.push(...cluster);
    cluster = [];
    colEnds = [];
  };

  for (const s of spans) {
    if (s.start >= clusterEnd && cluster.length) close();
    let col = colEnds.findIndex((end) => end <= s.start);
    if (col === -1) {
      col = colEnds.length;
      colEnds.push(s.end);
    } else {
      colEnds[col] = s.end;
    }
    cluster.push({ item: s.item, start: s.start, end: s.end, col, cols: 1 });
    clusterEnd = cluster.length === 1 ? s.end : Math.max(clusterEnd, s.end);
  }
  if (cluster.length) close();
  return out;
}
