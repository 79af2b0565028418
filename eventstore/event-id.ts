import { randomFillSync } from 'node:crypto';

/**
 * Time-ordered event ids (UUID version 7, RFC 9562): 48 bits of Unix milliseconds, then a counter
 * that keeps ids of one process increasing within a millisecond, then random bits. Unique like
 * random (v4) UUIDs, but consecutive ids land next to each other in the events_id_unique index
 * (appended at its right edge instead of on a random page: fewer pages touched, fewer full-page
 * images in the WAL after each checkpoint).
 */
export function newEventId(): string {
  let now = Date.now();
  if (now <= lastMs) {
    // Same (or an earlier: clock stepped back) millisecond: count on, borrowing the next millisecond on overflow.
    counter++;
    if (counter > 0xfff) {
      counter = 0;
      lastMs++;
    }
    now = lastMs;
  } else {
    lastMs = now;
    counter = randomByte() & 0x7f; // start low in the 12 bits, so the counter rarely overflows
  }
  const r = randomBytes(8);
  const time = now.toString(16).padStart(12, '0');
  return (
    time.slice(0, 8) +
    '-' +
    time.slice(8, 12) +
    '-' +
    (0x7000 | counter).toString(16) +
    '-' +
    HEX[0x80 | (r[0] & 0x3f)] +
    HEX[r[1]] +
    '-' +
    HEX[r[2]] +
    HEX[r[3]] +
    HEX[r[4]] +
    HEX[r[5]] +
    HEX[r[6]] +
    HEX[r[7]]
  );
}

let lastMs = 0;
let counter = 0;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Random bytes drawn from a pool refilled 4 KiB at a time (one getrandom call per ~500 ids). */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomBytes(n: number): Buffer {
  if (poolOffset + n > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

function randomByte(): number {
  return randomBytes(1)[0];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` has the form of a UUID (event ids must; any version). */
export function isUuid(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}
