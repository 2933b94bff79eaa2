// lwip's socket table: file descriptors (from vfscore's table in an image, FdSource) to protocol
// control blocks, and connections to sockets.
// Private to lwip's compartment (its JS heap); payloads stay in pbufs in simulated memory.

import { ERRNO } from '../newlib/errno.js';

export interface QueuedPbuf {
  readonly pbuf: number;
  readonly length: number;
  offset: number;
}

export class Socket {
  fd = -1;
  conn = 0;
  port = 0;
  listening = false;
  backlogLimit = 0;
  readonly backlog: Socket[] = [];
  nonblocking: boolean;
  readonly rx: QueuedPbuf[] = [];
  rxBytes = 0;
  peerClosed = false;
  reset = false;
  shutRd = false;
  shutWr = false;
  readonly options = new Map<number, number>();
  constructor(nonblocking: boolean) {
    this.nonblocking = nonblocking;
  }
}

/** FlexOS lwip numbers its sockets after stdin/stdout/stderr. */
const FIRST_FD = 3;
const MAX_SOCKETS = 1024;

/**
 * Where socket fds come from. In the image, vfscore's table (lib-lwip's sock_fd_alloc: vfscore_alloc_fd
 * and vfscore_install_fd, and vfscore_put_fd on close), so sockets and files never share a number;
 * alone, the table numbers its own.
 */
export interface FdSource {
  /** A free fd, or a negative errno. */
  alloc(): number;
  release(fd: number): void;
}

export class SocketTable {
  readonly #source: FdSource | null;
  readonly #byFd: (Socket | undefined)[] = [];
  readonly #byConn = new Map<number, Socket>();
  /** Connections opened before any socket listened. */
  readonly unclaimed: Socket[] = [];

  constructor(source: FdSource | null = null) {
    this.#source = source;
  }

  get(fd: number): Socket | undefined {
    return Number.isInteger(fd) && fd >= 0 ? this.#byFd[fd] : undefined;
  }

  /** The connected socket behind fd, or the errno every data call starts with (EBADF, ENOTCONN). */
  stream(fd: number): Socket | number {
    const s = this.get(fd);
    if (!s) return -ERRNO.EBADF;
    if (s.conn === 0) return -ERRNO.ENOTCONN;
    return s;
  }

  byConn(conn: number): Socket | undefined {
    return this.#byConn.get(conn);
  }

  /** A new unconnected socket; null when the table is full (EMFILE). */
  open(nonblocking: boolean): number | null {
    return this.install(new Socket(nonblocking));
  }

  /** A socket for a connection the device just opened, not yet accepted. */
  adopt(conn: number): Socket {
    const s = new Socket(false);
    s.conn = conn;
    this.#byConn.set(conn, s);
    return s;
  }

  install(s: Socket): number | null {
    if (this.#source) {
      const fd = this.#source.alloc();
      if (fd < 0 || fd >= MAX_SOCKETS) {
        if (fd >= 0) this.#source.release(fd);
        return null;
      }
      this.#byFd[fd] = s;
      s.fd = fd;
      return fd;
    }
    for (let fd = FIRST_FD; fd < MAX_SOCKETS; fd++) {
      if (this.#byFd[fd] === undefined) {
        this.#byFd[fd] = s;
        s.fd = fd;
        return fd;
      }
    }
    return null;
  }

  forget(s: Socket): void {
    if (s.conn !== 0) this.#byConn.delete(s.conn);
  }

  close(fd: number): void {
    const s = this.#byFd[fd];
    if (!s) return;
    this.forget(s);
    this.#byFd[fd] = undefined;
    this.#source?.release(fd);
  }

  listener(): Socket | undefined {
    return this.#byFd.find((s) => s?.listening);
  }

  portInUse(port: number, except: Socket): boolean {
    return port !== 0 && this.#byFd.some((s) => s !== undefined && s !== except && s.port === port && s.listening);
  }
}
