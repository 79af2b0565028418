/**
 * The UI's only door to the server: one typed tRPC client (batched HTTP for queries and mutations,
 * SSE for subscriptions), the mutation helper that mints command ids and remembers the last
 * position, the live-change signal pages refetch on, and error normalisation for toasts and forms.
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createSignal } from 'solid-js';
import type { AppRouter } from '../../../api/router';

export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type ClusterDto = RouterOutputs['clusters']['list'][number];
export type WorkspaceDto = RouterOutputs['workspaces']['list'][number];
export type WorkspaceDetailDto = RouterOutputs['workspaces']['get'];
export type BindingDto = WorkspaceDetailDto['bindings'][number];
export type NamespaceDto = RouterOutputs['namespaces']['list'][number];
export type AuditRecordDto = RouterOutputs['audit']['list']['items'][number];
export type AuditDetailDto = RouterOutputs['audit']['get'];
export type AuditFilter = NonNullable<RouterInputs['audit']['list']>;
export type Me = NonNullable<RouterOutputs['auth']['me']['user']>;

const base = `${typeof location !== 'undefined' ? location.origin : ''}/trpc`;

/** The session's CSRF token (a readable cookie): echoed on every request, so mutations prove they come from this page. */
export function csrfToken(): string {
  const match = typeof document !== 'undefined' ? /(?:^|;\s*)bosun_csrf=([^;]+)/.exec(document.cookie) : null;
  return match ? decodeURIComponent(match[1]) : '';
}

function csrfHeader(): Record<string, string> {
  const token = csrfToken();
  return token ? { 'x-bosun-csrf': token } : {};
}

export const api = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: base, eventSourceOptions: { withCredentials: true } }),
      false: httpBatchLink({ url: base, headers: csrfHeader, fetch: (url, init) => fetch(url, { ...(init as RequestInit), credentials: 'same-origin' }) }),
    }),
  ],
});

// ---------------------------------------------------------------- positions and live changes

/** The highest position this tab knows of: from its own mutations and from `live.changes`. */
const [lastPosition, setLastPosition] = createSignal(0);
/** Bumped (debounced) whenever the server reports that read models advanced; resources use it as a source. */
const [liveTick, setLiveTick] = createSignal(0);
const [liveState, setLiveState] = createSignal<'connecting' | 'live' | 'offline'>('connecting');
export { lastPosition, liveTick, liveState };

function advance(position: number) {
  if (position > lastPosition()) setLastPosition(position);
}

/** `{ minPosition }` for queries, so a list shows what the user just did. */
export const fresh = () => (lastPosition() > 0 ? { minPosition: lastPosition() } : {});

let tickTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleTick() {
  clearTimeout(tickTimer);
  tickTimer = setTimeout(() => setLiveTick((n) => n + 1), 120);
}

let liveSubscription: { unsubscribe(): void } | null = null;
export function startLive() {
  if (liveSubscription) return;
  setLiveState('connecting');
  liveSubscription = api.live.changes.subscribe(undefined, {
    onStarted: () => setLiveState('live'),
    onData: (change: { position: number }) => {
      setLiveState('live');
      if (change.position > lastPosition()) {
        advance(change.position);
      }
      scheduleTick();
    },
    onConnectionStateChange: (state) => setLiveState(state.state === 'pending' ? 'live' : state.state === 'connecting' ? 'connecting' : 'offline'),
    onError: () => {
      setLiveState('offline');
      liveSubscription = null;
      setTimeout(startLive, 3000);
    },
  });
}
export function stopLive() {
  liveSubscription?.unsubscribe();
  liveSubscription = null;
}

// ---------------------------------------------------------------- commands

function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Sends a command with a fresh `commandId` (so a retry of the same submission is idempotent when
 * the caller keeps the id) and records the position it returns.
 */
export async function command<T extends { position: number }>(send: (commandId: string) => Promise<T>, commandId = uuid()): Promise<T> {
  const result = await send(commandId);
  advance(result.position);
  scheduleTick();
  return result;
}

// ---------------------------------------------------------------- errors

export interface ApiError {
  message: string;
  /** Bosun's domain code (e.g. `invalid`, `insufficient`) or tRPC's code. */
  code: string;
  /** The input field the server blames, e.g. `quotaCpu`, `kubeconfig.users[0].user.exec`. */
  field: string | null;
  httpStatus: number | null;
}

/**
 * Separates the field a refusal blames from its message. The domain may name the parsed amount
 * (`quotaCpuMillis`) where the form has the input (`quotaCpu`), and Bosun's messages start with
 * the field ("cpu: requested …"); the UI shows the field apart, so the prefix is dropped.
 */
export function blame(rawField: string | null, rawMessage: string): { field: string | null; message: string } {
  const field = rawField ? rawField.replace(/(Millis|Bytes)$/, '') : null;
  const prefix = /^([\w.[\]]+): /.exec(rawMessage)?.[1];
  const drop = prefix && (prefix === rawField || prefix === field);
  return { field, message: drop ? rawMessage.slice(prefix.length + 2) : rawMessage };
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof TRPCClientError) {
    const data = (err.data ?? {}) as { code?: string; reason?: string | null; field?: string | null; httpStatus?: number };
    const shapeMessage = (err.shape as { message?: string } | undefined)?.message;
    const { field, message } = blame(data.field ?? null, shapeMessage || err.message);
    return {
      message,
      code: data.reason ?? data.code ?? 'UNKNOWN',
      field,
      httpStatus: data.httpStatus ?? null,
    };
  }
  if (err instanceof Error) return { message: err.message, code: 'UNKNOWN', field: null, httpStatus: null };
  return { message: String(err), code: 'UNKNOWN', field: null, httpStatus: null };
}

export const isUnauthorized = (e: ApiError) => e.httpStatus === 401 || e.code === 'UNAUTHORIZED' || e.code === 'unauthorized';
