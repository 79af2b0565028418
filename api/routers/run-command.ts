import type { ApiContext, ApiUser } from '../context';
import { commandContext } from '../context';
import { tenancyCommand } from '../../commands/tenancy';
import type { Command, CommandType } from '../../domain/commands';

/** Runs a tenancy command for the caller and nudges the reconcilers; returns the position to wait for. */
export async function runTenancyCommand<K extends CommandType>(
  ctx: ApiContext & { user: ApiUser },
  commandId: string,
  command: Extract<Command, { type: K }>,
): Promise<{ position: number }> {
  const result = await ctx.services.handle(tenancyCommand(command.type as K), command as any, commandContext(ctx, commandId));
  for (const event of result.events) ctx.services.nudge(event, result.position);
  return { position: result.position };
}

/** Read-your-writes: a query waits (bounded) until read models have the caller's last write. */
export async function caughtUp(ctx: ApiContext, minPosition: number | undefined): Promise<void> {
  if (minPosition) await ctx.services.readModels.waitForPosition(minPosition, 5_000);
}
