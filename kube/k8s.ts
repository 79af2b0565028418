/**
 * The one entry point to @kubernetes/client-node for Bosun code: it loads the Node 20 shims first
 * (see node-compat.ts). Import client-node's values from here, never from the package directly.
 */
import './node-compat';

export * from '@kubernetes/client-node';
