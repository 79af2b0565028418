import { z } from 'zod';

/** Every mutation carries a client-made id, so a retried request takes effect once. */
export const commandId = z.uuid({ message: 'must be a UUID' });

/** A Kubernetes quantity as typed by a person: `2`, `500m`, `4Gi`; parsed exactly by the domain. */
export const quantity = z.union([z.string().trim().min(1, 'is required').max(32), z.number().nonnegative()]);

export const dnsLabel = z.string().trim().min(1, 'is required').max(63, 'must be no more than 63 characters');

/** Queries take the position of the caller's last write and wait until read models have it. */
export const readYourWrites = z.object({ minPosition: z.number().int().nonnegative().optional() });
