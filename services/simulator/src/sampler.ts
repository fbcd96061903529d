/**
 * Draws an index with probability proportional to its weight by binary search over cumulative weights:
 * O(log n) per draw with no allocation, which for the catalog sizes used here is a few dozen nanoseconds.
 */
export class WeightedSampler {
  private readonly cumulative: Float64Array;
  readonly total: number;

  constructor(weights: ArrayLike<number>) {
    if (weights.length === 0) throw new Error('a sampler needs at least one weight');
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) {
      sum += weights[i]!;
      this.cumulative[i] = sum;
    }
    this.total = sum;
  }

  get size(): number {
    return this.cumulative.length;
  }

  /** `u` is uniform in [0, 1). */
  pick(u: number): number {
    return this.pickAmongFirst(u, this.cumulative.length);
  }

  /** Draws among the first `n` indices only, with the same relative weights. */
  pickAmongFirst(u: number, n: number): number {
    const target = u * this.cumulative[n - 1]!;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Zipf weights 1/(rank+1)^s: a few items take most of the plays, as in real charts. */
export function zipfWeights(n: number, s: number): Float64Array {
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) weights[i] = 1 / (i + 1) ** s;
  return weights;
}
