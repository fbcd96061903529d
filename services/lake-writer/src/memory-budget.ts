/** Bytes (as consumed, after Kafka decompression) one writer holds: in buffers, and in writes not yet committed. */
interface HeldBytes {
  buffered: number;
  inFlight: number;
}

/**
 * One budget for every partition of every writer in the process. A writer reports what it holds; the budget
 * only sums, so nothing can leak out of the count when a buffer is dropped or swapped.
 */
export interface MemoryBudget {
  readonly bytes: number;
  track(source: () => HeldBytes): void;
  held(): HeldBytes;
}

export function createMemoryBudget(bytes: number): MemoryBudget {
  const sources: Array<() => HeldBytes> = [];
  return {
    bytes,
    track: (source) => {
      sources.push(source);
    },
    held: () => {
      const total = { buffered: 0, inFlight: 0 };
      for (const source of sources) {
        const held = source();
        total.buffered += held.buffered;
        total.inFlight += held.inFlight;
      }
      return total;
    },
  };
}

const MiB = 1024 * 1024;
/** Above this a cgroup "limit" is the kernel's way of saying none (cgroup v1 reports 2^63 rounded to pages). */
const NO_LIMIT = 2 ** 60;

/**
 * Share of the container's memory limit the buffers may hold. What is held costs more than its consumed bytes:
 * the lines on the V8 heap, the object body built and compressed beside them, the fetched records not yet
 * taken. Measured in a 256 MiB cgroup (bench/lake-writer-memory, both formats): a 51 MiB budget peaked at
 * 149-169 MiB, about 90 MiB of runtime plus 1.5 times the budget, leaving room for a slower, CPU-starved pod.
 */
const SHARE_OF_CONTAINER = 0.2;
/** Share of V8's heap limit: lines live on the heap, and a body is built next to them. */
const SHARE_OF_HEAP = 0.35;

export interface BudgetBasis {
  /** LAKE_WRITER_MEMORY_BUDGET_BYTES, when set. */
  configured?: number | undefined;
  /** The cgroup's memory limit (process.constrainedMemory()); 0, undefined or huge when there is none. */
  containerLimit?: number | undefined;
  /** V8's heap limit (v8.getHeapStatistics().heap_size_limit). */
  heapLimit: number;
}

/** The budget and, for the start-up log line, where it came from. */
export function memoryBudgetFor(basis: BudgetBasis): { bytes: number; from: string } {
  if (basis.configured !== undefined)
    return { bytes: basis.configured, from: 'LAKE_WRITER_MEMORY_BUDGET_BYTES' };
  const fromHeap = Math.floor(basis.heapLimit * SHARE_OF_HEAP);
  const limit = basis.containerLimit;
  if (limit && limit < NO_LIMIT) {
    const fromContainer = Math.floor(limit * SHARE_OF_CONTAINER);
    if (fromContainer <= fromHeap)
      return {
        bytes: fromContainer,
        from: `${SHARE_OF_CONTAINER * 100}% of the ${Math.round(limit / MiB)} MiB memory limit`,
      };
  }
  return {
    bytes: fromHeap,
    from: `${SHARE_OF_HEAP * 100}% of the ${Math.round(basis.heapLimit / MiB)} MiB V8 heap limit`,
  };
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.floor(value)));

/**
 * kafkajs fetch sizes inside the budget: a fetch is held whole (compressed, then as records) until it is taken,
 * and every consumer of the process fetches at once. An eighth of the budget per fetch, at most the 32 MiB
 * kafkajs would take at full speed, and a quarter of that per partition.
 */
export function fetchSizesFor(budgetBytes: number): { maxBytes: number; maxBytesPerPartition: number } {
  const maxBytes = clamp(budgetBytes / 8, MiB, 32 * MiB);
  return { maxBytes, maxBytesPerPartition: clamp(maxBytes / 4, MiB / 4, 4 * MiB) };
}
