import type { ApiContext, ApiUser } from '../context';
import { DomainError } from '../../domain/errors';
import { commandContext } from '../context';
import { tenancyCommand } from '../../commands/tenancy';
import type { Command, CommandType } from '../../domain/commands';

/**
 * Runs a tenancy command for the caller and nudges the reconcilers; returns the position to wait for.
 * `inputFields` maps a domain field to the input field it came from where the names differ
 * (the domain's `workspaceId` is the form's `name`), so a refusal names what the user typed.
 */
export async function runTenancyCommand<K extends CommandType>(
  ctx: ApiContext & { user: ApiUser },
  commandId: string,
  command: Extract<Command, { type: K }>,
  inputFields: Record<string, string> = {},
): Promise<{ position: number }> {
  try {
    const result = await ctx.services.handle(tenancyCommand(command.type as K), command as any, commandContext(ctx, commandId));
    for (const event of result.events) ctx.services.nudge(event, result.position);
    return { position: result.position };
  } catch (error) {
    throw withInputField(error, inputFields);
  }
}

/** Domain fields carry units (`quotaCpuMillis`); inputs are quantities (`quotaCpu`). */
export function withInputField(error: unknown, inputFields: Record<string, string> = {}): unknown {
  const field = (error as { field?: unknown })?.field;
  if (typeof field !== 'string') return error;
  const renamed = inputFields[field] ?? field.replace(/(Millis|Bytes)$/, '');
  if (renamed === field) return error;
  const message = (error as Error).message.startsWith(`${field}:`) ? renamed + (error as Error).message.slice(field.length) : (error as Error).message;
  return new DomainError((error as DomainError).code, message, { field: renamed, details: (error as DomainError).details });
}

/** Read-your-writes: a query waits (bounded) until read models have the caller's last write. */
export async function caughtUp(ctx: ApiContext, minPosition: number | undefined): Promise<void> {
  if (minPosition) await ctx.services.readModels.waitForPosition(minPosition, 5_000);
}
