/**
 * A tiny hash router: `#/clusters/abc?x=1`. Hash routing needs no server fallback, so the API
 * process can serve ui/dist as plain static files.
 */
import { createSignal } from 'solid-js';

export interface Location {
  path: string;
  query: URLSearchParams;
}

function read(): Location {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  return { path: path || '/', query: new URLSearchParams(search) };
}

const [current, setCurrent] = createSignal<Location>(read());
window.addEventListener('hashchange', () => setCurrent(read()));
export const currentLocation = current;

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  const hash = to.startsWith('#') ? to : `#${to}`;
  if (opts.replace) history.replaceState(null, '', hash);
  else history.pushState(null, '', hash);
  setCurrent(read());
}

/** Replaces the query part of the current route (filters), keeping history clean. */
export function setQuery(params: Record<string, string | undefined>) {
  const q = new URLSearchParams(current().query);
  for (const [k, v] of Object.entries(params)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  navigate(`${current().path}${s ? `?${s}` : ''}`, { replace: true });
}

/** Matches `/clusters/:id` against a path; returns the decoded params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

export const href = (path: string) => `#${path}`;
