/**
 * Keys waiting to be handed to the runtime's per-cluster FIFO queue a few at a time, so that a
 * resync or a platform-wide change (hundreds of namespaces) never queues ahead of a grant on one
 * namespace: that one goes to the runtime at once and waits behind at most one background key.
 *
 * Two tiers per cluster, each in insertion order without duplicates: `changed` (a wide grant or
 * role change: new information, it cuts a key's backoff short) before `resync` (a periodic check,
 * which leaves a key in backoff alone).
 */
export interface BackgroundKey {
  key: string;
  /** From the `changed` tier: enqueue even if the key is backing off. */
  force: boolean;
}

export class BackgroundKeys {
  private readonly changed = new Map<string, Set<string>>();
  private readonly resync = new Map<string, Set<string>>();

  addChanged(clusterId: string, keys: Iterable<string>): void {
    const set = of(this.changed, clusterId);
    for (const key of keys) set.add(key);
  }

  addResync(clusterId: string, keys: Iterable<string>): void {
    const set = of(this.resync, clusterId);
    for (const key of keys) set.add(key);
  }

  /** The key is being reconciled on its own (an explicit enqueue): no need to come back to it. */
  remove(clusterId: string, key: string): void {
    this.changed.get(clusterId)?.delete(key);
    this.resync.get(clusterId)?.delete(key);
  }

  take(clusterId: string): BackgroundKey | undefined {
    for (const [tier, force] of [[this.changed, true], [this.resync, false]] as const) {
      const set = tier.get(clusterId);
      const key = set?.values().next().value;
      if (key === undefined) continue;
      this.remove(clusterId, key);
      return { key, force };
    }
    return undefined;
  }

  /** A resync pass of the cluster is still under way. */
  resyncing(clusterId: string): boolean {
    return (this.resync.get(clusterId)?.size ?? 0) > 0;
  }

  size(clusterId: string): number {
    const changed = this.changed.get(clusterId);
    const resync = this.resync.get(clusterId);
    if (!resync) return changed?.size ?? 0;
    let n = resync.size;
    for (const key of changed ?? []) if (!resync.has(key)) n++;
    return n;
  }

  clusters(): string[] {
    return [...new Set([...this.changed.keys(), ...this.resync.keys()])];
  }
}

function of(map: Map<string, Set<string>>, clusterId: string): Set<string> {
  let set = map.get(clusterId);
  if (!set) map.set(clusterId, (set = new Set()));
  return set;
}
