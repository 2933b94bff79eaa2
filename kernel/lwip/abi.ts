// The binary layouts lwip's socket API reads and writes in simulated memory (its "C structs"),
// and the constants apps pass. 8-byte fields are little-endian doubles (exact for integers).
//
//   struct sockaddr_in (16 B): family u16 LE @0, port u16 BE @2, addr u32 BE @4
//   fd_set (128 B): bit fd of byte fd >> 3, FD_SETSIZE 1024
//   struct timeval (16 B): seconds @0, microseconds @8
//   struct pollfd (8 B): fd i32 @0, events i16 @4, revents i16 @6
//   struct iovec (16 B): base @0, length @8
//   struct msghdr (56 B): name @0, namelen @8, iov @16, iovlen @24, control @32, controllen @40, flags @48

export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_NONBLOCK = 0o4000;
export const O_NONBLOCK = 0o4000;
export const O_RDWR = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const MSG_DONTWAIT = 0x40;
export const MSG_PEEK = 0x2;
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;
export const SOL_SOCKET = 1;
export const IPPROTO_TCP = 6;
export const SO_REUSEADDR = 2;
export const SO_ERROR = 4;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_LINGER = 13;
export const TCP_NODELAY = 1;
export const TCP_KEEPIDLE = 4;
export const TCP_KEEPINTVL = 5;
export const TCP_KEEPCNT = 6;
export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;

export const SOCKADDR_IN_BYTES = 16;
export const FD_SETSIZE = 1024;
export const FD_SET_BYTES = FD_SETSIZE / 8;
export const TIMEVAL_BYTES = 16;
export const POLLFD_BYTES = 8;
export const IOVEC_BYTES = 16;
export const MSGHDR_BYTES = 56;

/** Socket options lwip knows, by level, with their defaults. */
export const SOCKET_OPTIONS: ReadonlyMap<number, ReadonlyMap<number, number>> = new Map([
  [SOL_SOCKET, new Map([[SO_REUSEADDR, 0], [SO_ERROR, 0], [SO_SNDBUF, 65536], [SO_RCVBUF, 65536], [SO_KEEPALIVE, 0], [SO_LINGER, 0]])],
  [IPPROTO_TCP, new Map([[TCP_NODELAY, 0], [TCP_KEEPIDLE, 7200], [TCP_KEEPINTVL, 75], [TCP_KEEPCNT, 9]])],
]);
