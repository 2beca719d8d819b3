/**
 * Shared-memory collectives for the training replicas (worker threads): a barrier and an
 * all-gather over SharedArrayBuffers, with no message round trip through the main thread.
 * Every replica reads every slot in rank order, so all of them compute bit-identical sums.
 *
 * Slots are double-buffered by call parity: a replica can only write call k+2's slot after
 * every replica has passed call k+1's barrier, i.e. has finished reading call k's slots
 * (callers consume a result before their next call). The main thread can abort: waiting
 * replicas then throw instead of hanging.
 */

const COUNT = 0;
const GENERATION = 1;
const ABORT = 2;

/** The shared buffers of one replica group (structured-clonable: passed in workerData). */
export interface SharedGroup {
  readonly replicas: number;
  readonly control: SharedArrayBuffer;
  /** 2 (parity) x replicas x floatCapacity float32: gradients. */
  readonly floats: SharedArrayBuffer;
  readonly floatCapacity: number;
  /** 2 x replicas x doubleCapacity float64: batch-norm statistics. */
  readonly doubles: SharedArrayBuffer;
  readonly doubleCapacity: number;
}

export function createSharedGroup(replicas: number, floatCapacity: number, doubleCapacity = 1 << 14): SharedGroup {
  return {
    replicas,
    control: new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT),
    floats: new SharedArrayBuffer(2 * replicas * floatCapacity * Float32Array.BYTES_PER_ELEMENT),
    floatCapacity,
    doubles: new SharedArrayBuffer(2 * replicas * doubleCapacity * Float64Array.BYTES_PER_ELEMENT),
    doubleCapacity,
  };
}

/** Main thread: makes every replica waiting in (or later entering) a collective throw. */
export function abortSharedGroup(group: SharedGroup): void {
  const control = new Int32Array(group.control);
  Atomics.store(control, ABORT, 1);
  Atomics.notify(control, GENERATION);
}

export class ReplicaAbortedError extends Error {
  constructor() {
    super('aborted: another training worker failed');
    this.name = 'ReplicaAbortedError';
  }
}

export class Collective {
  private readonly control: Int32Array;
  private calls = 0;

  constructor(
    private readonly group: SharedGroup,
    readonly rank: number,
    private readonly timeoutMs = 600_000,
  ) {
    this.control = new Int32Array(group.control);
  }

  get replicas(): number {
    return this.group.replicas;
  }

  private barrier(): void {
    const c = this.control;
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, COUNT, 1) === this.group.replicas - 1) {
      Atomics.store(c, COUNT, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    const start = Date.now();
    while (Atomics.load(c, GENERATION) === generation) {
      if (Atomics.load(c, ABORT)) throw new ReplicaAbortedError();
      if (Date.now() - start > this.timeoutMs) throw new Error(`training worker ${this.rank}: waited over ${this.timeoutMs / 1000} s for the other workers`);
      Atomics.wait(c, GENERATION, generation, 200);
    }
  }

  private enter(length: number, capacity: number): number {
    if (Atomics.load(this.control, ABORT)) throw new ReplicaAbortedError();
    if (length > capacity) throw new RangeError(`collective: ${length} values exceed the shared capacity ${capacity}`);
    return this.calls++ & 1;
  }

  /** Every replica's `local` (same length everywhere), in rank order (copies). */
  gather64(local: Float64Array): Float64Array[] {
    const { replicas, doubleCapacity: cap } = this.group;
    const parity = this.enter(local.length, cap);
    const all = new Float64Array(this.group.doubles);
    const slot = (r: number) => (parity * replicas + r) * cap;
    all.set(local, slot(this.rank));
    this.barrier();
    return Array.from({ length: replicas }, (_, r) => all.slice(slot(r), slot(r) + local.length));
  }

  /** Element-wise sum over replicas of `parts` (concatenated), added in rank order; returned split like `parts`. */
  sum32(parts: readonly Float32Array[]): Float32Array[] {
    const { replicas, floatCapacity: cap } = this.group;
    const length = parts.reduce((a, p) => a + p.length, 0);
    const parity = this.enter(length, cap);
    const all = new Float32Array(this.group.floats);
    const slot = (r: number) => (parity * replicas + r) * cap;
    let at = slot(this.rank);
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    this.barrier();
    const sum = all.slice(slot(0), slot(0) + length);
    for (let r = 1; r < replicas; r++) {
      const s = all.subarray(slot(r), slot(r) + length);
      for (let i = 0; i < length; i++) sum[i] += s[i];
    }
    const out: Float32Array[] = [];
    at = 0;
    for (const p of parts) {
      out.push(sum.subarray(at, at + p.length));
      at += p.length;
    }
    return out;
  }
}
