// lwip's exportsyms: the BSD socket API the apps call (FlexOS: lwip_socket, lwip_recv, ...).
// Failures return a negative errno.

import type { LibraryDescriptor } from '../abi/library.js';

export const lwip: LibraryDescriptor = {
  name: 'lwip',
  exports: {
    socket: { args: ['int', 'int', 'int'], returns: 'int' },
    bind: { args: ['int', 'addr', 'int'], returns: 'int' },
    listen: { args: ['int', 'int'], returns: 'int' },
    accept: { args: ['int', 'addr', 'addr'], returns: 'int' },
    recv: { args: ['int', 'addr', 'int', 'int'], returns: 'int' },
    read: { args: ['int', 'addr', 'int'], returns: 'int' },
    send: { args: ['int', 'addr', 'int', 'int'], returns: 'int' },
    write: { args: ['int', 'addr', 'int'], returns: 'int' },
    sendmsg: { args: ['int', 'addr', 'int'], returns: 'int' },
    close: { args: ['int'], returns: 'int' },
    shutdown: { args: ['int', 'int'], returns: 'int' },
    setsockopt: { args: ['int', 'int', 'int', 'addr', 'int'], returns: 'int' },
    getsockopt: { args: ['int', 'int', 'int', 'addr', 'addr'], returns: 'int' },
    getpeername: { args: ['int', 'addr', 'addr'], returns: 'int' },
    fcntl: { args: ['int', 'int', 'int'], returns: 'int' },
    select: { args: ['int', 'addr', 'addr', 'addr', 'addr'], returns: 'int' },
    poll: { args: ['addr', 'int', 'int'], returns: 'int' },
  },
  calls: {
    netdev: ['netdev_poll', 'netdev_rx_burst', 'netdev_tx', 'netdev_tx_space', 'netdev_close', 'netdev_shutdown', 'netdev_wait'],
    newlib: ['memcpy', 'errno_set'],
    uksched: ['uk_mutex_init', 'uk_mutex_lock', 'uk_mutex_unlock', 'uk_sched_run_ready', 'uk_sem_init', 'uk_sem_up', 'uk_sem_down_try'],
    uktime: ['ukplat_monotonic_us'],
    // Socket fds live in vfscore's table (lib-lwip's sock_fd_alloc, sock_net_file_get).
    vfscore: ['vfscore_alloc_fd', 'vfscore_install_fd', 'vfscore_get_file', 'vfscore_put_file', 'vfscore_put_fd'],
  },
  whitelist: ['pbufs', 'fd_sets'],
  implementation: new URL('./lwip.js', import.meta.url).href,
};
