/**
 * Work a run does off its critical path — removing a finished container while the next task
 * starts — and waits for before it ends, so nothing it created outlives its record's end.
 */
export class OffPath {
  private readonly pending = new Set<Promise<void>>();

  /** `onError` reports a failure (it is never dropped). */
  add(work: Promise<unknown>, onError: (e: unknown) => void): void {
    const p: Promise<void> = work
      .then(
        () => undefined,
        (e: unknown) => onError(e),
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  get idle(): boolean {
    return this.pending.size === 0;
  }

  /** Resolves once all work added so far, and any added meanwhile, has ended. */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
