// The control plane between the host and its compartments (boot, init, run, stats, shutdown) over
// comlink: asynchronous and ~50 µs a call, so it is never on the data path, which uses gates.
// comlink ships UMD builds without an exports map; in ESM they load through createRequire.

import { createRequire } from 'node:module';
import type { MessagePort, Worker } from 'node:worker_threads';
import * as errors from '../../kernel/abi/errors.js';

const require = createRequire(import.meta.url);
const comlink = require('comlink') as typeof import('comlink');
// The UMD node adapter exports the function itself (module.exports = nodeEndpoint).
const nodeEndpoint = require('comlink/dist/umd/node-adapter.js') as (endpoint: unknown) => import('comlink').Endpoint;

export type Remote<T> = import('comlink').Remote<T>;

// comlink carries a thrown Error as name, message and stack only; FlexOS errors also carry their
// code and fields (remoteCode, info, ...) and come back as their own class, so callers match on them.
const ERROR_CLASSES: Readonly<Record<string, { prototype: object }>> = {
  FlexosError: errors.FlexosError, ConfigError: errors.ConfigError, BuildError: errors.BuildError,
  ProtectionFault: errors.ProtectionFault, GateTimeoutError: errors.GateTimeoutError,
  GateCalleeError: errors.GateCalleeError, OutOfMemoryError: errors.OutOfMemoryError, HardeningViolation: errors.HardeningViolation,
};
const ERROR_FIELDS = ['code', 'remoteCode', 'library', 'fn', 'info', 'path', 'valid'] as const;
type SerializedThrow = { isError: boolean; value: Record<string, unknown> };
const builtinThrow = comlink.transferHandlers.get('throw')!;
comlink.transferHandlers.set('throw', {
  canHandle: builtinThrow.canHandle,
  serialize(thrown: unknown) {
    const [serialized, transfer] = builtinThrow.serialize(thrown) as [SerializedThrow, unknown[]];
    const error = (thrown as { value: unknown }).value;
    if (serialized.isError && error instanceof errors.FlexosError) {
      for (const field of ERROR_FIELDS) if (field in error) serialized.value[field] = (error as unknown as Record<string, unknown>)[field];
    }
    return [serialized, transfer];
  },
  deserialize(serialized: unknown) {
    try {
      return builtinThrow.deserialize(serialized);
    } catch (error) {
      const cls = error instanceof Error ? ERROR_CLASSES[error.name] : undefined;
      if (cls) Object.setPrototypeOf(error, cls.prototype);
      throw error;
    }
  },
});

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
