import { createSignal } from 'solid-js';
import { api, startLive, stopLive, type Me } from './api';

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

export async function logout() {
  stopLive();
  try {
    await api.auth.logout.mutate();
  } finally {
    setMe(null);
  }
}

export const signedOut = () => setMe(null);
