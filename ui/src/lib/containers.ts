/**
 * The two doors to a container that are not tRPC, because they stream: the log route (chunked
 * text over fetch) and the terminal WebSocket. Both ride on the session cookie; the terminal also
 * carries the session's CSRF token, which only Bosun's own page can read.
 */
import { csrfToken } from './api';

export interface PodRef {
  clusterId: string;
  namespace: string;
  pod: string;
}

export interface LogRequest {
  container: string;
  follow: boolean;
  tailLines: number | null;
  sinceSeconds: number | null;
  timestamps: boolean;
  previous: boolean;
}

const podPath = (ref: PodRef) => `/containers/${encodeURIComponent(ref.clusterId)}/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.pod)}`;

export function logUrl(ref: PodRef, req: LogRequest): string {
  const q = new URLSearchParams();
  if (req.container) q.set('container', req.container);
  if (req.follow) q.set('follow', 'true');
  if (req.tailLines !== null) q.set('tailLines', String(req.tailLines));
  if (req.sinceSeconds !== null) q.set('sinceSeconds', String(req.sinceSeconds));
  if (req.timestamps) q.set('timestamps', 'true');
  if (req.previous) q.set('previous', 'true');
  return `${podPath(ref)}/log?${q}`;
}

export class LogStreamError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field: string | null,
  ) {
    super(message);
  }
}

/**
 * Reads a log, calling `onLines` with every complete line as chunks arrive (the last, unfinished
 * line waits for its end). Resolves when the server ends the stream; abort `signal` to stop.
 */
export async function streamLog(ref: PodRef, req: LogRequest, onLines: (lines: string[]) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(logUrl(ref, req), { credentials: 'same-origin', signal });
  if (!res.ok) {
    let message = res.statusText;
    let field: string | null = null;
    try {
      const body = (await res.json()) as { error?: string; field?: string };
      message = body.error ?? message;
      field = body.field ?? null;
    } catch {
      // not JSON
    }
    throw new LogStreamError(res.status, message, field);
  }
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let carry = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const text = carry + decoder.decode(value, { stream: true });
    const parts = text.split('\n');
    carry = parts.pop() ?? '';
    if (parts.length) onLines(parts);
  }
  const rest = carry + decoder.decode();
  if (rest) onLines([rest]);
}

export function terminalUrl(ref: PodRef, container: string, size: { cols: number; rows: number }): string {
  const q = new URLSearchParams({ container, cols: String(size.cols), rows: String(size.rows), csrf: csrfToken() });
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${podPath(ref)}/exec?${q}`;
}

/** Frame channels of the terminal socket (the first byte of each binary frame). */
export const TerminalChannel = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4 } as const;

export function frame(channel: number, payload: string | Uint8Array): Uint8Array {
  const body = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const out = new Uint8Array(body.length + 1);
  out[0] = channel;
  out.set(body, 1);
  return out;
}
