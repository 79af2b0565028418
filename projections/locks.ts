/** PostgreSQL advisory-lock keys of the projections: (class, 32-bit hash of the projection name). */
export const LEADER_LOCK_CLASS = 0x0b05_0001;
export const REBUILD_LOCK_CLASS = 0x0b05_0002;

/** FNV-1a, as a signed 32-bit integer (the second key of pg_advisory_lock(int, int)). */
export function lockKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** A timer that never keeps the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
