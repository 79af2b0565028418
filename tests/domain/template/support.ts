/** Helpers shared by the template specs. */
import { expect } from 'vitest';
import { DomainError, type DomainErrorCode } from '../../../domain/errors';

/** Runs `fn`, expects a DomainError with `code`, and returns it for closer looks. */
export function refusal(fn: () => unknown, code: DomainErrorCode = 'invalid'): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
}

/** The `field: reason` messages of a refusal that collected problems. */
export function problemMessages(error: DomainError): string[] {
  const problems = (error.details?.problems ?? []) as Array<{ message: string }>;
  return problems.map((p) => p.message);
}

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
