// The nginx application library: what the image build needs to know of it.

import type { LibraryDescriptor } from '../../kernel/abi/library.js';

export const nginx: LibraryDescriptor = {
  name: 'nginx',
  exports: {
    /**
     * Serves HTTP/1.1 on `port` from the root of the filesystem until the image shuts down, with
     * worker_connections and send_timeout (seconds) as given (limits.ts: nginxMainArgs).
     */
    main: { args: ['int', 'int', 'int'], returns: 'int' },
  },
  calls: {
    lwip: ['socket', 'setsockopt', 'bind', 'listen', 'accept', 'poll', 'recv', 'write', 'close', 'fcntl'],
    vfscore: ['open', 'read', 'close', 'fstat', 'stat'],
    // The vnode lock vfscore's writev() takes on the socket in FlexOS (workloads/socket-vnode.ts).
    uksched: ['uk_mutex_init', 'uk_mutex_lock', 'uk_mutex_unlock'],
    uktime: ['uk_time_now_ms'],
    newlib: ['errno_set'],
  },
  // FlexOS's Nginx port annotates 36 shared variables; here: the request and response buffers
  // handed to lwip and vfscore, the pollfd array, paths, stat structs and the sockaddr.
  whitelist: ['request_buf', 'response_buf', 'pollfds', 'path', 'stat', 'sa'],
  implementation: new URL('./server.js', import.meta.url).href,
};
