/**
 * Collects every problem of a template or of a set of values, so one refusal lists them all:
 * the message joins them, `field` is the first one's, `details.problems` holds each.
 */
import { DomainError } from '../errors';

export interface Problem {
  field: string;
  /** The reason without the field: `must be an integer between 1 and 50, got "three"`. */
  reason: string;
  [detail: string]: unknown;
}

export class Problems {
  private readonly items: Problem[] = [];

  /** Adds a problem; the same field and reason twice count once. */
  add(field: string, reason: string, details: Record<string, unknown> = {}): void {
    if (this.items.some((p) => p.field === field && p.reason === reason)) return;
    this.items.push({ ...details, field, reason });
  }

  get count(): number {
    return this.items.length;
  }

  /** Throws DomainError('invalid') naming every problem; does nothing when there is none. */
  throwIfAny(): void {
    if (this.items.length === 0) return;
    const message = this.items.map((p) => `${p.field}: ${p.reason}`).join('; ');
    throw new DomainError('invalid', message, {
      field: this.items[0].field,
      details: { problems: this.items.map((p) => ({ ...p, message: `${p.field}: ${p.reason}` })) },
    });
  }
}

/** The reason of a DomainError raised for `field`, without the `field: ` prefix it carries. */
export function reasonOf(error: DomainError, field: string): string {
  const prefix = `${field}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}
