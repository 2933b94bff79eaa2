// errno values (Linux numbering, as newlib on Unikraft uses). Library calls in this simulator
// return a negative errno on failure, like the kernel's syscall ABI; the app's libc wrapper keeps
// the positive value in errno.

export const ERRNO = Object.freeze({
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EPIPE: 32,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ENOTSOCK: 88,
  EDESTADDRREQ: 89,
  EPROTOTYPE: 91,
  ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  ENETDOWN: 100,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  EISCONN: 106,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
});

export type ErrnoName = keyof typeof ERRNO;

const NAMES = new Map<number, string>(Object.entries(ERRNO).map(([name, value]) => [value, name]));

/** "EAGAIN" for 11 or -11. */
export function errnoName(value: number): string {
  return NAMES.get(Math.abs(value)) ?? `errno ${Math.abs(value)}`;
}
