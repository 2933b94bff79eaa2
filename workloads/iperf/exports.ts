// The iperf application library (an iperf2 TCP server): what the image build needs to know of it.

import type { LibraryDescriptor } from '../../kernel/abi/library.js';

export const iperf: LibraryDescriptor = {
  name: 'iperf',
  exports: {
    /** Serves iperf2 TCP clients on `port`, receiving with `bufferBytes`-byte recv calls, until the image shuts down. */
    main: { args: ['int', 'int'], returns: 'int' },
    /** Bytes received since boot (all connections). */
    received: { args: [], returns: 'int' },
  },
  calls: {
    lwip: ['socket', 'setsockopt', 'bind', 'listen', 'accept', 'recv', 'close'],
  },
  // FlexOS's iperf port annotates 4 shared variables: here the receive buffer (from the shared
  // heap, as iperf mallocs it), the sockaddr and the option value.
  whitelist: ['mBuf', 'sa', 'opt'],
  implementation: new URL('./server.js', import.meta.url).href,
};

/** The receive buffer sizes of the paper's Fig. 9: 2^4 .. 2^20 bytes. */
export const IPERF_BUFFER_SIZES: readonly number[] = Array.from({ length: 17 }, (_, i) => 2 ** (i + 4));
export const IPERF_DEFAULT_BUFFER = 128 * 1024;
