import type { ApiContext, ApiUser } from '../context';
import type { Command, CommandType } from '../../domain/commands';
import { runTenancyCommand } from './run-command';

/** Runs a domain command for the caller and waits until the read models have it (read-your-writes). */
export async function runCommand<K extends CommandType>(
  ctx: ApiContext & { user: ApiUser },
  commandId: string,
  command: Extract<Command, { type: K }>,
): Promise<{ position: number }> {
  const result = await runTenancyCommand(ctx, commandId, command);
  await ctx.services.readModels.waitForPosition(result.position, 5_000);
  return result;
}
