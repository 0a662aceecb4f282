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
