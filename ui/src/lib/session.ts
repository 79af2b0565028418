/**
 * The signed-in user and what they may do. `auth.me` says which permissions the user holds and
 * where (everywhere, in which workspaces, in which namespaces); navigation and buttons follow it so
 * nobody is shown an action they lack. The server stays the real guard.
 */
import { createSignal } from 'solid-js';
import type { Permission } from '../../../domain/permissions';
import { api, startLive, stopLive, type Me } from './api';
import { navigate } from './router';

export type { Permission };

/** undefined = not known yet, null = signed out. */
const [me, setMe] = createSignal<Me | null | undefined>(undefined);
export { me };

export async function loadMe(): Promise<Me | null> {
  try {
    const { user } = await api.auth.me.query();
    setMe(user ?? null);
  } catch {
    setMe(null);
  }
  if (me()) startLive();
  return me() ?? null;
}

export async function login(username: string, password: string) {
  await api.auth.login.mutate({ username, password });
  await loadMe();
}

/** Signs out and lands on the login page without a `next`: the next user starts at their own home. */
export async function logout() {
  stopLive();
  try {
    await api.auth.logout.mutate();
  } finally {
    navigate('/login', { replace: true });
    setMe(null);
  }
}

export const signedOut = () => setMe(null);

// ---------------------------------------------------------------- what the user may do

interface Where {
  everywhere: boolean;
  workspaces: string[];
  namespaces: string[];
}

const nowhere: Where = { everywhere: false, workspaces: [], namespaces: [] };

/** Where the signed-in user holds `permission`. */
export function where(permission: Permission): Where {
  return (me()?.where as Record<string, Where> | undefined)?.[permission] ?? nowhere;
}

/** Holds `permission` on the whole platform. */
export const canOnPlatform = (permission: Permission) => !!me()?.platformPermissions.includes(permission);

/** Holds `permission` somewhere (platform, some workspace or some namespace). */
export function canAnywhere(permission: Permission): boolean {
  const w = where(permission);
  return w.everywhere || w.workspaces.length > 0 || w.namespaces.length > 0;
}

/** Holds `permission` on a whole workspace (through a platform or a workspace grant). */
export function canInWorkspace(permission: Permission, workspaceId: string): boolean {
  const w = where(permission);
  return w.everywhere || w.workspaces.includes(workspaceId);
}

/** Holds `permission` on a namespace (through a platform, its workspace's or its own grant). */
export function canOnNamespace(permission: Permission, ns: { clusterId: string; name: string; workspaceId: string }): boolean {
  const w = where(permission);
  return w.everywhere || w.workspaces.includes(ns.workspaceId) || w.namespaces.includes(`${ns.clusterId}/${ns.name}`);
}

export type Scope =
  | { kind: 'platform' }
  | { kind: 'workspace'; workspaceId: string }
  | { kind: 'namespace'; clusterId: string; namespace: string; workspaceId: string };

/** Holds `permission` on `scope`. */
export function canOnScope(permission: Permission, scope: Scope): boolean {
  if (scope.kind === 'platform') return canOnPlatform(permission);
  if (scope.kind === 'workspace') return canInWorkspace(permission, scope.workspaceId);
  return canOnNamespace(permission, { clusterId: scope.clusterId, name: scope.namespace, workspaceId: scope.workspaceId });
}
