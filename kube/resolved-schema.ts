import { z } from 'zod';
import type { ResolvedKubeconfig } from './kubeconfig';

/**
 * Shape check for a ResolvedKubeconfig read back from the credential store, which returns `unknown`.
 * Parse with `resolvedKubeconfigSchema.parse(await store.get(ref))` rather than casting.
 */
export const resolvedKubeconfigSchema = z.object({
  contextName: z.string().min(1),
  server: z.string().regex(/^https?:\/\//),
  tlsServerName: z.string().min(1).optional(),
  insecureSkipTlsVerify: z.boolean(),
  caData: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  credentials: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('token'), token: z.string().min(1) }),
    z.object({ kind: z.literal('clientCert'), certData: z.string().min(1), keyData: z.string().min(1) }),
    z.object({ kind: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }),
  ]),
}) satisfies z.ZodType<ResolvedKubeconfig>;
