// The control plane between the host and its compartments (boot, init, run, stats, shutdown) over
// comlink: asynchronous and ~50 µs a call, so it is never on the data path, which uses gates.
// comlink ships UMD builds without an exports map; in ESM they load through createRequire.

import { createRequire } from 'node:module';
import type { MessagePort, Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const comlink = require('comlink') as typeof import('comlink');
// The UMD node adapter exports the function itself (module.exports = nodeEndpoint).
const nodeEndpoint = require('comlink/dist/umd/node-adapter.js') as (endpoint: unknown) => import('comlink').Endpoint;

export type Remote<T> = import('comlink').Remote<T>;

/** Serves `api` to the host over the worker's parent port. */
export function exposeToHost(api: object, port: MessagePort): void {
  comlink.expose(api, nodeEndpoint(port));
}

/** The host's proxy to a compartment worker's control API. */
export function connectToCompartment<T>(worker: Worker): Remote<T> {
  return comlink.wrap<T>(nodeEndpoint(worker));
}

export function releaseProxy(proxy: Remote<unknown>): void {
  proxy[comlink.releaseProxy]();
}
