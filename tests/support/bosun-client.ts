import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../api/router';

/**
 * A tRPC client that keeps its cookies and echoes the CSRF cookie in the `x-bosun-csrf` header, as
 * Bosun's own page does. `csrf: false` behaves like a foreign page that rides on the cookies;
 * `headers` may carry `authorization: Bearer <API key>`.
 */
export function bosunClient(url: string, headers: Record<string, string> = {}, options: { csrf?: boolean } = {}) {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        headers: () => {
          const csrf = cookies.get('bosun_csrf');
          return {
            ...headers,
            ...(cookies.size > 0 ? { cookie: cookieHeader() } : {}),
            ...(csrf && options.csrf !== false ? { 'x-bosun-csrf': csrf } : {}),
          };
        },
        fetch: async (input, init) => {
          const response = await fetch(input, init as RequestInit);
          for (const c of response.headers.getSetCookie()) {
            const [pair] = c.split(';');
            const eq = pair.indexOf('=');
            const name = pair.slice(0, eq);
            const value = pair.slice(eq + 1);
            if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) cookies.delete(name);
            else cookies.set(name, value);
          }
          return response;
        },
      }),
    ],
  });
  return {
    client,
    /** The session cookie pair (`bosun_session=…`), or '' when logged out. */
    cookie: () => (cookies.has('bosun_session') ? `bosun_session=${cookies.get('bosun_session')}` : ''),
    cookies,
  };
}

export function httpStatusOf(error: unknown): number | undefined {
  return error instanceof TRPCClientError ? (error.data as { httpStatus?: number } | undefined)?.httpStatus : undefined;
}

export function fieldOf(error: unknown): string | null | undefined {
  return error instanceof TRPCClientError ? (error.data as { field?: string | null } | undefined)?.field : undefined;
}

/** The refusal a call ends in (HTTP status, field, message); fails the test when the call succeeds. */
export async function refusalOf(promise: Promise<unknown>): Promise<{ status: number | undefined; field: string | null | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { status: httpStatusOf(error), field: fieldOf(error), message: (error as Error).message };
  }
  throw new Error('expected a refusal');
}
