// What a report says about a baseline's boundary: what each crossing was priced at and where the
// figure comes from (Fig. 11 for Linux, seL4's published IPC figures, Fig. 11 again for CubicleOS's
// trampoline and its WRPKRU), beside the system call round trip measured on this machine.

import { SEL4_IPC_CYCLES, SYSCALL_CYCLES, type Configuration } from '../../kernel/abi/schema.js';
import { lastSyscallMeasurement } from './syscall-clock.js';

/** The lines of the model's inputs that price the boundary; none for FlexOS's own drivers. */
export function boundaryLines(config: Configuration): string[] {
  const cycles = config.costModel.boundaryCycles;
  if (!cycles) return [];
  switch (config.driver) {
    case 'linux': {
      const which = cycles.syscall === SYSCALL_CYCLES.kpti ? 'with KPTI' : cycles.syscall === SYSCALL_CYCLES.noKpti ? 'without KPTI' : 'as configured';
      const measured = lastSyscallMeasurement();
      return [
        `  system call: ${cycles.syscall} cycles per round trip (${which}; paper Fig. 11: ${SYSCALL_CYCLES.kpti} with KPTI, ${SYSCALL_CYCLES.noKpti} without), plus copy_from_user/copy_to_user priced as copy bytes`,
        measured === undefined
          ? '  system call measured here: not measured (node scripts/run.js measures it for a linux image)'
          : `  system call measured here: ${measured.ns.toFixed(1)} ns per syscall(SYS_getpid) round trip = ${measured.hostCycles.toFixed(0)} cycles at ${measured.hostGhz.toFixed(3)} GHz (${measured.calls.toLocaleString('en-US')} calls, best of ${measured.rounds}; ${measured.cpu})`,
      ];
    }
    case 'sel4':
      return [`  seL4 IPC: ${cycles.ipc} cycles per call and reply (seL4 performance page, sel4bench x86-64 Skylake fastpath: Call ${SEL4_IPC_CYCLES.call} + ReplyRecv ${SEL4_IPC_CYCLES.reply}), plus Genode's marshalling and the bulk-data copies priced as copy bytes`];
    case 'cubicleos':
      return [`  CubicleOS: ${cycles.cubicle} cycles per trampoline (as Fig. 11's MPK-DSS gate), ${cycles['pkru-window']} per window open or close (one WRPKRU: half Fig. 11's MPK-light gate)`];
    default:
      return ['  Unikraft: no gate layer; every call is a direct call'];
  }
}

/** The boundary's sources for a report's JSON `model` object. */
export function boundaryJson(config: Configuration): Record<string, unknown> {
  const measured = config.driver === 'linux' ? lastSyscallMeasurement() : undefined;
  return {
    boundary_sources: {
      syscall: `paper Fig. 11: ${SYSCALL_CYCLES.kpti} cycles with KPTI, ${SYSCALL_CYCLES.noKpti} without`,
      ipc: `https://sel4.systems/performance.html (sel4bench, x86-64 Skylake): Call ${SEL4_IPC_CYCLES.call} + ReplyRecv ${SEL4_IPC_CYCLES.reply} cycles`,
      cubicle: 'paper Fig. 11 MPK-DSS gate',
      'pkru-window': 'half of paper Fig. 11 MPK-light gate (one WRPKRU)',
    },
    ...(measured ? { syscall_measured: { ns: measured.ns, host_cycles: measured.hostCycles, host_ghz: measured.hostGhz, calls: measured.calls, rounds: measured.rounds, cpu: measured.cpu } } : {}),
  };
}
