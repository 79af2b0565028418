import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../api/router';

/** A tRPC client that keeps the session cookie, as a browser would. */
export function bosunClient(url: string, headers: Record<string, string> = {}) {
  let cookie = '';
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        headers: () => ({ ...headers, ...(cookie ? { cookie } : {}) }),
        fetch: async (input, init) => {
          const response = await fetch(input, init as RequestInit);
          const set = response.headers.getSetCookie();
          for (const c of set) {
            const [pair] = c.split(';');
            cookie = pair.endsWith('=') ? '' : pair;
          }
          return response;
        },
      }),
    ],
  });
  return { client, cookie: () => cookie };
}

export function httpStatusOf(error: unknown): number | undefined {
  return error instanceof TRPCClientError ? (error.data as { httpStatus?: number } | undefined)?.httpStatus : undefined;
}

export function fieldOf(error: unknown): string | null | undefined {
  return error instanceof TRPCClientError ? (error.data as { field?: string | null } | undefined)?.field : undefined;
}
