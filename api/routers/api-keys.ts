/**
 * API keys: a user makes keys limited to some of their own permissions (and optionally scopes),
 * with an expiry. The key is shown once; Bosun keeps its SHA-256. A key never does more than its
 * user can do at the time it is used.
 */
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { router, platformProcedure, selfProcedure } from '../trpc';
import { userId } from './identity-inputs';
import { commandId, readYourWrites } from './inputs';
import { permission, scope } from './identity-inputs';
import { runCommand } from './run-domain-command';
import { caughtUp } from './run-command';
import { DomainError } from '../../domain/errors';
import { authorize, visibility, type Scope } from '../../domain/permissions';
import { describeScope } from '../../domain/grant/state';
import { generateApiKey } from '../../identity/api-keys';
import { MAX_API_KEY_DAYS } from '../../domain/user/decide';
import { listApiKeys } from '../../projections/identity/queries';

export const apiKeysRouter = router({
  list: selfProcedure.input(readYourWrites.optional()).query(async ({ ctx, input }) => {
    await caughtUp(ctx, input?.minPosition);
    return (await listApiKeys(ctx.services.db, ctx.user.id)).map((k) => ({
      keyId: k.key_id,
      name: k.name,
      prefix: k.prefix,
      permissions: k.permissions,
      scopes: k.scopes,
      expiresAt: k.expires_at,
      createdAt: k.created_at,
      revokedAt: k.revoked_at,
    }));
  }),

  create: selfProcedure
    .input(
      z.object({
        commandId,
        name: z.string().trim().min(1, 'is required').max(100),
        permissions: z.array(permission).min(1, 'choose at least one permission'),
        scopes: z.array(scope).min(1).nullable().default(null),
        expiresInDays: z.number().int().min(1).max(MAX_API_KEY_DAYS).default(90),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (ctx.user.kind !== 'user') throw new DomainError('forbidden', 'name: an API key cannot create API keys; log in to make one', { field: 'name' });
      // A key is limited to what its user holds: refuse asking for more, naming what is missing.
      for (const p of input.permissions) {
        const held = input.scopes
          ? input.scopes.every((s) => authorize(ctx.user.access, p, s as Scope))
          : (() => {
              const v = visibility(ctx.user.access, p);
              return v.everywhere || v.workspaceIds.size > 0 || v.namespaces.size > 0;
            })();
        if (!held) {
          const where = input.scopes ? ` on ${input.scopes.map((s) => describeScope(s as Scope)).join(', ')}` : '';
          throw new DomainError('forbidden', `permissions: you do not hold ${p}${where}, so a key of yours cannot have it`, { field: 'permissions' });
        }
      }
      const now = ctx.services.clock();
      const generated = generateApiKey();
      const keyId = randomUUID();
      const expiresAt = new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString();
      const result = await runCommand(ctx, input.commandId, {
        type: 'CreateApiKey',
        userId: ctx.user.id,
        keyId,
        name: input.name,
        prefix: generated.prefix,
        secretSha256: generated.secretSha256,
        permissions: input.permissions,
        scopes: input.scopes as Scope[] | null,
        expiresAt,
        now: now.toISOString(),
      });
      return { ...result, keyId, key: generated.key, prefix: generated.prefix, expiresAt };
    }),

  revoke: selfProcedure.input(z.object({ commandId, keyId: z.uuid() })).mutation(({ ctx, input }) =>
    runCommand(ctx, input.commandId, { type: 'RevokeApiKey', userId: ctx.user.id, keyId: input.keyId }),
  ),

  /** A user admin revokes anyone's key (a leaked key, a departing colleague). */
  revokeFor: platformProcedure('users:manage')
    .input(z.object({ commandId, userId, keyId: z.uuid() }))
    .mutation(({ ctx, input }) => runCommand(ctx, input.commandId, { type: 'RevokeApiKey', userId: input.userId, keyId: input.keyId })),
});
