// What an Nginx image holds a hostile client to, named after the nginx directives each mirrors, and
// the boot-time settings (worker_connections, send_timeout) checked the same way on the host
// (app.ts builds main's arguments) and in the image (main refuses what the host did not check).

import { ConfigError } from '../../kernel/abi/errors.js';

/** nginx 1.15's `output_buffers 2 32k`: one file read (sendfile off) fills one buffer. */
export const OUTPUT_BUFFER = 32 * 1024;

/**
 * Pending output at which a connection stops being read and its pipelined requests wait (two
 * output buffers); reading resumes once it has drained below one buffer (OUTPUT_LOW). nginx
 * itself goes further and answers no pipelined request while a response is still being sent.
 */
export const OUTPUT_HIGH = 2 * OUTPUT_BUFFER;
export const OUTPUT_LOW = OUTPUT_BUFFER;

/**
 * Pending output past which a connection is closed. The request flow never queues more than
 * OUTPUT_HIGH plus one response head or buffer, so this is a guard, not the working limit: the
 * working limit is the backpressure above, and send_timeout ends a client that stops reading.
 */
export const OUTPUT_CAP = 4 * OUTPUT_HIGH;

/** nginx's built-in default (DEFAULT_CONNECTIONS in ngx_event.c); like nginx, the listener counts as one. */
const DEFAULT_WORKER_CONNECTIONS = 512;
/**
 * vfscore's 1021 fds (3..1023), which lwip's sockets take theirs from, less one so a connection past
 * the limit can still be accepted and refused. The files nginx opens share that table: at the
 * maximum, a request whose open finds no fd free is answered 500.
 */
const MAX_WORKER_CONNECTIONS = 1020;

/** nginx's default send_timeout: a client that takes no byte of a response for this long is closed. */
const DEFAULT_SEND_TIMEOUT_S = 60;
const MAX_SEND_TIMEOUT_S = 3600;

export interface NginxLimits {
  /** Connections at once, the listener included (nginx `worker_connections`). */
  readonly workerConnections: number;
  /** Seconds a response may wait on a client that reads nothing (nginx `send_timeout`). */
  readonly sendTimeoutS: number;
}

/** The limits, each checked: a ConfigError (FLEXOS_ERR_CONFIG) names the setting and its valid values. */
export function checkedLimits(limits: Partial<NginxLimits>): NginxLimits {
  const workerConnections = limits.workerConnections ?? DEFAULT_WORKER_CONNECTIONS;
  const sendTimeoutS = limits.sendTimeoutS ?? DEFAULT_SEND_TIMEOUT_S;
  if (!Number.isInteger(workerConnections) || workerConnections < 2 || workerConnections > MAX_WORKER_CONNECTIONS) {
    throw new ConfigError('nginx.worker_connections', workerConnections, 'not a connection count the image can hold', `an integer from 2 (the listener and one client) to ${MAX_WORKER_CONNECTIONS}`);
  }
  if (!Number.isInteger(sendTimeoutS) || sendTimeoutS < 1 || sendTimeoutS > MAX_SEND_TIMEOUT_S) {
    throw new ConfigError('nginx.send_timeout', sendTimeoutS, 'not a timeout in whole seconds', `an integer from 1 to ${MAX_SEND_TIMEOUT_S}`);
  }
  return { workerConnections, sendTimeoutS };
}

/** The arguments of nginx's main after the port, in its order. */
export function nginxMainArgs(limits: Partial<NginxLimits> = {}): number[] {
  const checked = checkedLimits(limits);
  return [checked.workerConnections, checked.sendTimeoutS];
}
