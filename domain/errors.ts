/**
 * The one error type the domain throws. `code` says what kind of refusal it is (the API maps it to
 * an HTTP status), `field` names the command field at fault when there is one, and the message is
 * an English sentence that names the field and, for capacity refusals, the numbers.
 */
export type DomainErrorCode =
  | 'invalid'
  | 'not_found'
  | 'already_exists'
  | 'conflict'
  | 'insufficient_capacity'
  | 'precondition_failed'
  | 'forbidden';

export interface DomainErrorOptions {
  field?: string;
  details?: Record<string, unknown>;
}

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: DomainErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
    if (options.details !== undefined) this.details = options.details;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** Shorthand for the most common refusal: a field's value is not acceptable. */
export function invalid(field: string, message: string, details?: Record<string, unknown>): DomainError {
  return new DomainError('invalid', `${field}: ${message}`, { field, details });
}
