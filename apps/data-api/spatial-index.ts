// Nearest-neighbour lookup over grid cell centres (curvilinear and unstructured grids).
// A 3-D k-d tree over unit vectors on the sphere: the straight-line (chord) distance between
// unit vectors orders points exactly as the great-circle distance does, so the nearest found
// is the great-circle nearest, across the antimeridian and whether longitudes run -180..180 or
// 0..360, with no special cases. (kdbush/geokdbush are 2-D over lon/lat and need antimeridian
// handling on top; this tree is ~80 lines and exact.)

export interface NearestHit {
  /** Index of the cell in the arrays the index was built from. */
  index: number;
  /** Great-circle distance in degrees. */
  distanceDeg: number;
}

const RAD = Math.PI / 180;

export function unitVector(lonDeg: number, latDeg: number): [number, number, number] {
  const lon = lonDeg * RAD;
  const lat = latDeg * RAD;
  return [Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)];
}

export class SphereIndex {
  /** Point coordinates, xyz interleaved, in tree order. */
  private readonly xyz: Float64Array;
  /** Original cell index of each point in tree order. */
  private readonly ids: Int32Array;
  readonly size: number;

  /**
   * @param lon, lat cell centres in degrees (same length)
   * @param include cells to index (e.g. wet cells of a land mask); all when omitted
   */
  constructor(lon: ArrayLike<number>, lat: ArrayLike<number>, include?: (cell: number) => boolean) {
    const ids: number[] = [];
    for (let i = 0; i < lon.length; i++) {
      const x = lon[i] ?? NaN;
      const y = lat[i] ?? NaN;
      if (Number.isFinite(x) && Number.isFinite(y) && Math.abs(y) <= 90 && (include === undefined || include(i))) ids.push(i);
    }
    this.size = ids.length;
    this.ids = Int32Array.from(ids);
    this.xyz = new Float64Array(ids.length * 3);
    ids.forEach((cell, k) => this.xyz.set(unitVector(lon[cell] ?? 0, lat[cell] ?? 0), k * 3));
    this.build(0, ids.length, 0);
  }

  /** Sorts [lo, hi) so that its median along `axis` sits in the middle, then recurses (implicit tree). */
  private build(lo: number, hi: number, axis: number): void {
    if (hi - lo <= 1) return;
    const mid = (lo + hi) >> 1;
    this.select(lo, hi - 1, mid, axis);
    const next = (axis + 1) % 3;
    this.build(lo, mid, next);
    this.build(mid + 1, hi, next);
  }

  /** Quickselect (Floyd-Rivest-free Hoare variant): k-th smallest along `axis` into position k. */
  private select(left: number, right: number, k: number, axis: number): void {
    while (right > left) {
      const pivot = this.xyz[k * 3 + axis] ?? 0;
      let i = left;
      let j = right;
      this.swap(left, k);
      if ((this.xyz[right * 3 + axis] ?? 0) > pivot) this.swap(left, right);
      while (i < j) {
        this.swap(i, j);
        i++;
        j--;
        while ((this.xyz[i * 3 + axis] ?? 0) < pivot) i++;
        while ((this.xyz[j * 3 + axis] ?? 0) > pivot) j--;
      }
      if ((this.xyz[left * 3 + axis] ?? 0) === pivot) this.swap(left, j);
      else {
        j++;
        this.swap(j, right);
      }
      if (j <= k) left = j + 1;
      if (k <= j) right = j - 1;
    }
  }

  private swap(a: number, b: number): void {
    const ids = this.ids;
    const t = ids[a] ?? 0;
    ids[a] = ids[b] ?? 0;
    ids[b] = t;
    for (let d = 0; d < 3; d++) {
      const u = this.xyz[a * 3 + d] ?? 0;
      this.xyz[a * 3 + d] = this.xyz[b * 3 + d] ?? 0;
      this.xyz[b * 3 + d] = u;
    }
  }

  nearest(lonDeg: number, latDeg: number): NearestHit | undefined {
    if (this.size === 0) return undefined;
    const q = unitVector(lonDeg, latDeg);
    let best = -1;
    let bestD2 = Infinity;
    const visit = (lo: number, hi: number, axis: number): void => {
      if (hi <= lo) return;
      const mid = (lo + hi) >> 1;
      const dx = (this.xyz[mid * 3] ?? 0) - q[0];
      const dy = (this.xyz[mid * 3 + 1] ?? 0) - q[1];
      const dz = (this.xyz[mid * 3 + 2] ?? 0) - q[2];
      const d2 = dx * dx + dy * dy + dz * dz;
      // Ties go to the lower cell index, so answers do not depend on tree layout.
      if (d2 < bestD2 || (d2 === bestD2 && (this.ids[mid] ?? 0) < (this.ids[best] ?? 0))) {
        bestD2 = d2;
        best = mid;
      }
      const split = (this.xyz[mid * 3 + axis] ?? 0) - q[axis as 0 | 1 | 2];
      const next = (axis + 1) % 3;
      const [near, far] = split > 0 ? [[lo, mid], [mid + 1, hi]] : [[mid + 1, hi], [lo, mid]];
      visit(near[0] ?? 0, near[1] ?? 0, next);
      if (split * split <= bestD2) visit(far[0] ?? 0, far[1] ?? 0, next);
    };
    visit(0, this.size, 0);
    const chord = Math.sqrt(bestD2);
    return { index: this.ids[best] ?? 0, distanceDeg: (2 * Math.asin(Math.min(1, chord / 2))) / RAD };
  }
}
