import { createRequire } from 'node:module';

/**
 * @kubernetes/client-node 2.x pulls in undici 8, which declares Node >= 22.19 and, on the Node 20 this
 * project targets, crashes while loading. These three shims are all it needs from newer Node to load
 * and run fetch. Remove this module once the project runs on Node 22 or pins undici 7 through an
 * npm override. Import it before '@kubernetes/client-node' (kube/k8s.ts does).
 */
const require = createRequire(import.meta.url);

const zlib = require('node:zlib') as Record<string, unknown>;
if (typeof zlib.createZstdDecompress !== 'function') {
  // Only reached if a server answers with Content-Encoding: zstd, which Bosun never asks for.
  const unsupported = () => {
    throw new Error('zstd decompression needs Node >= 22.15');
  };
  zlib.createZstdDecompress = unsupported;
  zlib.createZstdCompress = unsupported;
}

const workerThreads = require('node:worker_threads') as Record<string, unknown>;
if (typeof workerThreads.markAsUncloneable !== 'function') {
  // Marks web objects as not structured-cloneable; a no-op loses only that guard.
  workerThreads.markAsUncloneable = () => {};
}

if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
