/**
 * A bounded memo in two generations, for the evaluation caches of the engine and the evaluator.
 * One Map with oldest-first eviction looked simpler, but deleting a Map's first key over and over
 * leaves holes V8 rescans on every `keys().next()`, so a full memo got slower with every miss.
 * Here, when the young generation holds half the capacity it becomes the old one and the old one
 * is dropped; a hit in the old generation is carried into the young one, so what is still asked
 * for survives. Holds at most `capacity` entries; counts its hits and misses.
 */
export class GenerationalMemo<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity: number) {}

  size(): number {
    return this.young.size + this.old.size;
  }

  /** The remembered value (counted as a hit), or undefined (a miss). */
  get(key: K): V | undefined {
    const young = this.young.get(key);
    if (young !== undefined) {
      this.hits++;
      return young;
    }
    const older = this.old.get(key);
    if (older !== undefined) {
      this.hits++;
      this.old.delete(key);
      this.set(key, older);
      return older;
    }
    this.misses++;
    return undefined;
  }

  set(key: K, value: V): void {
    if (this.young.size >= Math.max(1, Math.floor(this.capacity / 2))) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}
