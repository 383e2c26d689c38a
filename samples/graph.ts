// Shortest paths over a grid's or a mesh's water points (Dijkstra with a binary heap): the samples
// derive depth (distance to land), the tide's arrival time (travel time at the shallow-water wave
// speed) and the salinity gradient (distance from the ocean) from them, so the fields follow the
// real shape of the bay and the coast rather than straight lines.

/** Neighbours of point `k` with the cost of the step to each. */
export type Edges = (k: number, visit: (next: number, cost: number) => void) => void;

/** Least total cost from any of `sources` (cost 0) to every point; Infinity where unreachable. */
export function shortestPaths(count: number, sources: Iterable<number>, edges: Edges): Float64Array {
  const best = new Float64Array(count).fill(Infinity);
  const heap: Array<[number, number]> = [];
  const push = (item: [number, number]) => {
    heap.push(item);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as [number, number])[0] <= item[0]) break;
      heap[i] = heap[parent] as [number, number];
      heap[parent] = item;
      i = parent;
    }
  };
  const pop = (): [number, number] | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    for (let i = 0; ; ) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let m = i;
      if (l < heap.length && (heap[l] as [number, number])[0] < (heap[m] as [number, number])[0]) m = l;
      if (r < heap.length && (heap[r] as [number, number])[0] < (heap[m] as [number, number])[0]) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m] as [number, number], heap[i] as [number, number]];
      i = m;
    }
    return top;
  };
  for (const s of sources) {
    best[s] = 0;
    push([0, s]);
  }
  for (let item = pop(); item !== undefined; item = pop()) {
    const [cost, k] = item;
    if (cost > (best[k] as number)) continue;
    edges(k, (next, step) => {
      const c = cost + step;
      if (c < (best[next] as number)) {
        best[next] = c;
        push([c, next]);
      }
    });
  }
  return best;
}

/** Great-circle distance in km (the grids here are small enough for the equirectangular form). */
export function km(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const x = (lon2 - lon1) * Math.cos(((lat1 + lat2) / 2) * rad);
  return 111.32 * Math.hypot(x, lat2 - lat1);
}
