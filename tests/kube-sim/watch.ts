/**
 * Watch over HTTP: newline-delimited JSON events (`{"type":"ADDED","object":{...}}`), chunked, as
 * kube-apiserver streams them. Supports allowWatchBookmarks, timeoutSeconds, sendInitialEvents and
 * the 410 Expired ERROR event when the requested resourceVersion has left the retained window.
 */
import type { ServerResponse } from 'node:http';
import { StatusError } from './errors';
import type { ObjectStore, WatchEventType } from './objects';
import type { ResourceDef } from './registry';
import { apiVersionOf } from './registry';
import type { StoredEvent } from './storage';

export interface WatchRequest {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
}

export interface WatchSettings {
  /** Periodic BOOKMARK interval (kube-apiserver: about a minute). */
  bookmarkIntervalMs: number;
  /** Default watch duration when the client gives no timeoutSeconds (kube-apiserver: 30–60 min). */
  defaultTimeoutSeconds: number;
  /** A watcher whose unsent output exceeds this is dropped (like a slow watcher in the cacher). */
  maxBufferedBytes: number;
}

/** A JSON line per event, computed once per stored event and event type. */
function eventLine(store: ObjectStore, def: ResourceDef, type: string, obj: any, ev?: StoredEvent): string {
  if (ev && ev.type === type) {
    if (ev.json === undefined) (ev as any).json = `{"type":"${type}","object":${JSON.stringify(store.typed(def, obj))}}\n`;
    return ev.json!;
  }
  return `{"type":"${type}","object":${JSON.stringify(store.typed(def, obj))}}\n`;
}

export function serveWatch(store: ObjectStore, req: WatchRequest, res: ServerResponse, settings: WatchSettings, headers: Record<string, string>) {
  const { def } = req;
  let closed = false;
  let lastRv = req.resourceVersion && req.resourceVersion !== '0' ? req.resourceVersion : store.resourceVersion;
  const timers: NodeJS.Timeout[] = [];

  res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  const write = (line: string) => {
    if (closed) return;
    res.write(line);
    if (res.writableLength > settings.maxBufferedBytes) finish();
  };
  const bookmark = (initialEnd = false) => {
    const md: any = { resourceVersion: lastRv, creationTimestamp: null };
    if (initialEnd) md.annotations = { 'k8s.io/initial-events-end': 'true' };
    write(JSON.stringify({ type: 'BOOKMARK', object: { kind: def.kind, apiVersion: apiVersionOf(def), metadata: md } }) + '\n');
  };
  let handle: { stop(): void } | undefined;
  const finish = () => {
    if (closed) return;
    closed = true;
    handle?.stop();
    for (const t of timers) clearTimeout(t);
    res.end();
  };
  res.on('close', finish);

  const startRv = req.sendInitialEvents ? '' : req.resourceVersion;
  try {
    handle = store.watch(def.group, def.resource, { namespace: req.namespace, name: req.name, labelSelector: req.labelSelector, fieldSelector: req.fieldSelector, resourceVersion: startRv }, (type: WatchEventType, obj: any, ev?: StoredEvent) => {
      if (ev) lastRv = String(ev.rv);
      write(eventLine(store, def, type, obj, ev));
    });
  } catch (e) {
    if (e instanceof StatusError) {
      write(JSON.stringify({ type: 'ERROR', object: e.toStatus() }) + '\n');
      finish();
      return;
    }
    throw e;
  }
  if (req.sendInitialEvents) {
    lastRv = store.resourceVersion;
    if (req.allowBookmarks) bookmark(true);
  }
  if (req.allowBookmarks && settings.bookmarkIntervalMs > 0) {
    const tick = () => {
      if (closed) return;
      bookmark();
      timers.push(setTimeout(tick, settings.bookmarkIntervalMs));
    };
    timers.push(setTimeout(tick, settings.bookmarkIntervalMs));
  }
  const timeout = req.timeoutSeconds && req.timeoutSeconds > 0 ? req.timeoutSeconds : settings.defaultTimeoutSeconds;
  timers.push(
    setTimeout(() => {
      // kube-apiserver sends a bookmark shortly before a watch's deadline so clients can resume
      if (req.allowBookmarks) bookmark();
      finish();
    }, timeout * 1000),
  );
}
