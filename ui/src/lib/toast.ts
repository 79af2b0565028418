import { createSignal } from 'solid-js';
import type { ApiError } from './api';

export interface Toast {
  id: number;
  kind: 'error' | 'success';
  title: string;
  message: string;
  field?: string | null;
}

const [toasts, setToasts] = createSignal<Toast[]>([]);
export { toasts };
let next = 1;

function push(t: Omit<Toast, 'id'>, ttl: number) {
  const id = next++;
  setToasts((list) => [...list.slice(-4), { ...t, id }]);
  setTimeout(() => dismiss(id), ttl);
}
export const dismiss = (id: number) => setToasts((list) => list.filter((t) => t.id !== id));

export const toast = {
  success: (title: string, message = '') => push({ kind: 'success', title, message }, 3500),
  error: (title: string, err: ApiError) => push({ kind: 'error', title, message: err.message, field: err.field }, 8000),
};
