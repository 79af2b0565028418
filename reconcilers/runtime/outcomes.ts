/**
 * Remembers the last outcome reported per object and generation, so an outcome is reported
 * only when it changes (not on every loop). Memory only: after a restart the first outcome of
 * each object is reported once more, which the receiving command de-duplicates.
 */
export type Outcome = 'provisioned' | { failed: string };

export function outcomeKey(outcome: Outcome): string {
  return outcome === 'provisioned' ? 'provisioned' : `failed:${outcome.failed}`;
}

export class OutcomeMemo {
  private readonly last = new Map<string, { generation: number; key: string }>();

  /** True when `outcome` differs from what was last reported for this object and generation. */
  changed(id: string, generation: number, outcome: Outcome): boolean {
    const prev = this.last.get(id);
    return !prev || prev.generation !== generation || prev.key !== outcomeKey(outcome);
  }

  remember(id: string, generation: number, outcome: Outcome): void {
    this.last.set(id, { generation, key: outcomeKey(outcome) });
  }

  forget(id: string): void {
    this.last.delete(id);
  }
}
