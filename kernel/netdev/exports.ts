// netdev's exportsyms: the uknetdev driver calls lwip makes (FlexOS: uk_netdev_rx_burst /
// tx_burst, polled). Connection-level: the host's virtio-net backend terminates TCP.

import type { LibraryDescriptor } from '../abi/library.js';

export const netdev: LibraryDescriptor = {
  name: 'netdev',
  exports: {
    /** Next connection event: returns 0 none, 1 open, 2 peer closed, 3 reset; writes the conn id (8 bytes) at out. */
    netdev_poll: { args: ['addr'], returns: 'int' },
    /** Received bytes of any connection (round-robin) into buf; returns the count, writes the conn id at connOut. */
    netdev_rx_burst: { args: ['addr', 'int', 'addr'], returns: 'int' },
    netdev_tx: { args: ['int', 'addr', 'int'], returns: 'int' },
    netdev_tx_space: { args: ['int'], returns: 'int' },
    netdev_close: { args: ['int'], returns: 'int' },
    netdev_shutdown: { args: ['int'], returns: 'int' },
    /** Parks the CPU until the device has work or timeoutMs passes (-1: no limit); 1 = work. */
    netdev_wait: { args: ['int'], returns: 'int' },
  },
  calls: {},
  whitelist: [],
  implementation: new URL('./netdev.js', import.meta.url).href,
};

export const NETDEV_EVENT_NONE = 0;
export const NETDEV_EVENT_OPEN = 1;
export const NETDEV_EVENT_PEER_CLOSED = 2;
export const NETDEV_EVENT_RESET = 3;
