/**
 * Downloads `GET /audit/export.csv` for a filter: reads the stream, reports rows against the
 * server's X-Total-Count as they arrive, then saves the bytes as a file.
 */
import type { ApiError } from '../../lib/api';

export type ExportFilter = Record<string, string | undefined>;

export class ExportError extends Error implements ApiError {
  code: string;
  field: string | null;
  httpStatus: number | null;
  constructor(message: string, httpStatus: number, field: string | null) {
    super(message);
    this.code = httpStatus === 403 ? 'FORBIDDEN' : httpStatus === 401 ? 'UNAUTHORIZED' : 'EXPORT_FAILED';
    this.field = field;
    this.httpStatus = httpStatus;
  }
}

export function exportUrl(filter: ExportFilter): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v);
  const q = params.toString();
  return `/audit/export.csv${q ? `?${q}` : ''}`;
}

const LF = 10;

/** Resolves with the number of rows saved. */
export async function downloadAuditCsv(filter: ExportFilter, onProgress: (done: number, total: number) => void, signal?: AbortSignal): Promise<number> {
  const response = await fetch(exportUrl(filter), { credentials: 'same-origin', signal });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: string; field?: string } | null;
    throw new ExportError(body?.error ?? response.statusText, response.status, body?.field ?? null);
  }
  const total = Number(response.headers.get('x-total-count') ?? 0);
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let lines = 0;
  onProgress(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    for (let i = 0; i < value.length; i++) if (value[i] === LF) lines++;
    // The header is a line; a quoted cell may hold a line break, so the count is capped.
    onProgress(Math.min(Math.max(lines - 1, 0), total), total);
  }
  onProgress(total, total);
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'bosun-audit.csv';
  const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return total;
}
