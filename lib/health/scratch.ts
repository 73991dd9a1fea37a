import { StringInterner } from './interner.ts';

/**
 * Working memory of the health stage (typed arrays and the thread interner), kept from
 * one `computeHealth` call to the next.
 *
 * Why: at a million interactions one call needs about 60 MB of typed arrays. Allocated
 * afresh, they count as external memory and make V8 start a full mark-compact, which
 * must mark the whole heap, and that heap holds the caller's million `Interaction`
 * objects (300+ MB): 250-600 ms per collection, about once per call, so the cost per
 * interaction grew with the input (heap size x collections per call). Reused, the
 * buffers trigger nothing after the first call.
 *
 * Views are handed out with their old contents: a user writes a position before it
 * reads it, or clears the view itself. One call at a time (the health stage is
 * synchronous); the buffers keep the size of the largest input seen, and no reference
 * to the caller's data survives `release`.
 */
export class Scratch {
  readonly threads = new StringInterner();
  private readonly buffers = new Map<string, ArrayBuffer>();

  /** A view of `length` doubles under `name` (one name, one buffer: never two users). */
  float64(name: string, length: number): Float64Array {
    return new Float64Array(this.buffer(name, length * 8), 0, length);
  }

  int32(name: string, length: number): Int32Array {
    return new Int32Array(this.buffer(name, length * 4), 0, length);
  }

  uint8(name: string, length: number): Uint8Array {
    return new Uint8Array(this.buffer(name, length), 0, length);
  }

  /** Drops the references to the caller's strings (the interned thread ids). */
  release(): void {
    this.threads.reset(this.threads.size);
  }

  private buffer(name: string, bytes: number): ArrayBuffer {
    let b = this.buffers.get(name);
    if (b === undefined || b.byteLength < bytes) {
      // A little headroom, so inputs that grow a bit between calls do not reallocate.
      b = new ArrayBuffer(Math.max(bytes + (bytes >> 3), 64));
      this.buffers.set(name, b);
    }
    return b;
  }
}
