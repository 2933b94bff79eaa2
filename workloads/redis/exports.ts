// The redis application library: what the image build needs to know of it.

import type { LibraryDescriptor } from '../../kernel/abi/library.js';

export const redis: LibraryDescriptor = {
  name: 'redis',
  exports: {
    /**
     * Serves RESP on `port` until the image shuts down; then, each optional (boot-settings.ts):
     * maxmemory, client-query-buffer-limit, the output limit's hard bytes, soft bytes, soft seconds.
     */
    main: { args: ['int', 'double', 'double', 'double', 'double', 'double'], returns: 'int' },
  },
  calls: {
    lwip: ['socket', 'setsockopt', 'bind', 'listen', 'accept', 'select', 'read', 'write', 'close', 'fcntl'],
    uktime: ['uk_time_now_ms'],
    // processCommand's strcasecmp of the command name (command-name.ts).
    newlib: ['strcasecmp'],
    // The vnode lock vfscore's read() and write() take in FlexOS (socket-vnode.ts).
    uksched: ['uk_mutex_init', 'uk_mutex_lock', 'uk_mutex_unlock'],
  },
  // FlexOS's Redis port annotates 16 shared variables; here: the query and reply buffers handed to
  // lwip, the fd_sets and timeval of ae_select, and the sockaddr.
  whitelist: ['querybuf', 'replybuf', 'readfds', 'writefds', 'tvp', 'sa'],
  implementation: new URL('./server.js', import.meta.url).href,
};
