// The devices the host attaches to an image: the netdev backend's memory, driven by the netdev
// library; at shutdown the host rings the guest doorbell so a compartment parked on it unwinds.

import { HEADER_BYTES, W_GUEST_DOORBELL } from '../../../kernel/netdev/layout.js';
import type { DeviceAttachment } from '../host.js';

export function netdevAttachment(sab: SharedArrayBuffer): DeviceAttachment {
  const header = new Int32Array(sab, 0, HEADER_BYTES / 4);
  return {
    name: 'netdev',
    library: 'netdev',
    buffer: sab,
    wake() {
      Atomics.add(header, W_GUEST_DOORBELL, 1);
      Atomics.notify(header, W_GUEST_DOORBELL);
    },
  };
}
