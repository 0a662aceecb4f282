/** The state of a {@link Random}: four 32-bit words, JSON-serialisable. */
export type RandomState = [number, number, number, number];

/**
 * A seeded pseudo-random generator (sfc32) whose whole state is four numbers, so a checkpoint
 * can store it and a resumed run draws exactly what an uninterrupted run would.
 *
 * @example
 * ```ts
 * const random = new Random(1);
 * const order = random.shuffle([0, 1, 2, 3]);
 * const again = Random.fromState(random.state());
 * ```
 */
export class Random {
  readonly #s = new Uint32Array(4);

  /** @param seed - any integer; the words are spread from it with splitmix32 */
  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    for (let i = 0; i < 12; i++) this.next();
  }

  /**
   * @param state - from {@link Random.state}
   * @returns a generator continuing from that state
   */
  static fromState(state: Readonly<RandomState>): Random {
    const random = new Random(0);
    random.#s.set(state);
    return random;
  }

  /** @returns the state, to store and restore with {@link Random.fromState} */
  state(): RandomState {
    return [this.#s[0]!, this.#s[1]!, this.#s[2]!, this.#s[3]!];
  }

  /** @returns a uniform number in [0, 1) */
  next(): number {
    const s = this.#s;
    const t = (((s[0]! + s[1]!) >>> 0) + s[3]!) >>> 0;
    s[3] = (s[3]! + 1) >>> 0;
    s[0] = s[1]! ^ (s[1]! >>> 9);
    s[1] = (s[2]! + (s[2]! << 3)) >>> 0;
    s[2] = ((s[2]! << 21) | (s[2]! >>> 11)) >>> 0;
    s[2] = (s[2]! + t) >>> 0;
    return t / 4294967296;
  }

  /**
   * @param n - the number of outcomes
   * @returns a uniform integer in [0, n)
   */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * A standard normal draw (Box–Muller on two uniform draws; the second value is not kept, so
   * the state after a draw does not depend on earlier calls).
   *
   * @returns a number from N(0, 1)
   * @example
   * ```ts
   * const noise = 0.1 * new Random(3).normal();
   * ```
   */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: the logarithm stays finite
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Shuffles in place (Fisher–Yates).
   *
   * @param items - the array to shuffle
   * @returns the same array
   */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/**
 * A 32-bit seed from several parts (FNV-1a over their text, parts separated so that `('a', 'bc')`
 * and `('ab', 'c')` differ): for draws that depend only on what they are about (a run seed, an
 * epoch, a compound), not on how many draws came before, so any thread computes them alike.
 *
 * @param parts - numbers and strings
 * @returns an unsigned 32-bit integer
 * @example
 * ```ts
 * const random = new Random(seedOf(config.seed, epoch, 'tyk2/lig_ejm_31'));
 * ```
 */
export function seedOf(...parts: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    for (const char of `${typeof part}:${String(part)}\u0000`) {
      const code = char.codePointAt(0)!;
      for (let shift = 0; shift < 32 && (shift === 0 || code >>> shift !== 0); shift += 8) {
        hash ^= (code >>> shift) & 0xff;
        hash = Math.imul(hash, 0x01000193) >>> 0;
      }
    }
  }
  return hash >>> 0;
}
