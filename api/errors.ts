import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/unstable-core-do-not-import';
import { ZodError } from 'zod';

/** Any error that carries a Bosun refusal: DomainError or a recorded rejection (both have a code, a message naming the field, and the field). */
interface Refusal {
  code: string;
  message: string;
  field?: string;
}

const statusByDomainCode: Record<string, TRPC_ERROR_CODE_KEY> = {
  invalid: 'BAD_REQUEST',
  not_found: 'NOT_FOUND',
  already_exists: 'CONFLICT',
  conflict: 'CONFLICT',
  insufficient_capacity: 'UNPROCESSABLE_CONTENT',
  precondition_failed: 'PRECONDITION_FAILED',
  forbidden: 'FORBIDDEN',
  unauthorized: 'UNAUTHORIZED',
  too_many_requests: 'TOO_MANY_REQUESTS',
};

function asRefusal(error: unknown): Refusal | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !(code in statusByDomainCode)) return null;
  return { code, message: error.message, field: (error as { field?: string }).field };
}

/** The one mapping from whatever a procedure threw to the error the client sees. */
export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) {
    if (error.cause && !(error.cause instanceof ZodError)) {
      const mapped = toTRPCError(error.cause);
      if (mapped.code !== 'INTERNAL_SERVER_ERROR') return mapped;
    }
    return error;
  }
  if (error instanceof ZodError) return new TRPCError({ code: 'BAD_REQUEST', message: describeZodError(error), cause: error });
  const refusal = asRefusal(error);
  if (refusal) {
    return new TRPCError({ code: statusByDomainCode[refusal.code], message: refusal.message, cause: error as Error });
  }
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'internal error', cause: error instanceof Error ? error : undefined });
}

export function describeZodError(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
}

export function fieldOf(error: TRPCError): string | undefined {
  const cause = error.cause;
  if (cause instanceof ZodError) return cause.issues[0]?.path.join('.') || undefined;
  return (cause as { field?: string } | undefined)?.field;
}

export function refusalCodeOf(error: TRPCError): string | undefined {
  const cause = error.cause as { code?: unknown } | undefined;
  if (cause instanceof ZodError) return 'invalid';
  return typeof cause?.code === 'string' ? cause.code : undefined;
}
