// The entry point of a compartment: one worker_thread per compartment. It maps only the regions it
// was handed, loads only its own libraries, serves gates, and answers the host's control plane.

import { parentPort, workerData } from 'node:worker_threads';
import { FlexosError } from '../../kernel/abi/errors.js';
import { CompartmentRuntime, type CompartmentData } from './runtime.js';
import { exposeToHost } from './control-plane.js';

// Met by running this file with node directly: a compartment cannot start outside a Machine.
if (!parentPort) throw new FlexosError('FLEXOS_ERR_BOOT', 'compartment-worker.js runs as a worker_thread started by the host');
const runtime = new CompartmentRuntime(workerData as CompartmentData);
exposeToHost(runtime.controlApi(), parentPort);
