import type { ApiContext, ApiUser } from '../context';
import { commandContext } from '../context';
import { tenancyCommand } from '../../commands/tenancy';
import type { Command, CommandType } from '../../domain/commands';

/** Runs any domain command for the caller and waits until the read models have it (read-your-writes). */
export async function runCommand<K extends CommandType>(
  ctx: ApiContext & { user: ApiUser },
  commandId: string,
  command: Extract<Command, { type: K }>,
): Promise<{ position: number }> {
  const result = await ctx.services.handle(tenancyCommand(command.type as K), command as any, commandContext(ctx, commandId));
  for (const event of result.events) ctx.services.nudge(event, result.position);
  await ctx.services.readModels.waitForPosition(result.position, 5_000);
  return { position: result.position };
}
