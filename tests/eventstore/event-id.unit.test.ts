import { describe, expect, it } from 'vitest';
import { newEventId } from '../../eventstore/event-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newEventId', () => {
  it('makes distinct version-7 UUIDs that increase in the order they were made', () => {
    const ids = Array.from({ length: 50_000 }, () => newEventId());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('starts with the current Unix time in milliseconds', () => {
    const before = Date.now();
    const id = newEventId();
    const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThan(before + 5_000); // a burst may borrow a few milliseconds ahead
  });
});
