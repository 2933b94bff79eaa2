// Host side of the initrd (FlexOS: the cpio archive handed to the unikernel at boot): walk a host
// directory into a plain tree, pack it as cpio newc into a SharedArrayBuffer, and attach it as the
// `initrd` device that ramfs unpacks at init.

import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCpio, type InitrdEntry, type InitrdImage } from '../../../kernel/ramfs/cpio.js';
import type { DeviceAttachment } from '../host.js';

export type { InitrdEntry, InitrdImage } from '../../../kernel/ramfs/cpio.js';
export { decodeCpio as unpackInitrd } from '../../../kernel/ramfs/cpio.js';

/**
 * Every directory and regular file under `dir` (not `dir` itself), parents before children, names
 * sorted. Symbolic links and special files are skipped: ramfs has neither.
 */
export function readInitrd(dir: string): InitrdImage {
  const root = lstatSync(dir);
  if (!root.isDirectory()) throw new TypeError(`readInitrd: ${dir} is not a directory`);
  const entries: InitrdEntry[] = [];
  const walk = (hostDir: string, prefix: string): void => {
    for (const name of readdirSync(hostDir).sort()) {
      const hostPath = join(hostDir, name);
      const path = prefix === '' ? name : `${prefix}/${name}`;
      const st = lstatSync(hostPath);
      if (st.isDirectory()) {
        entries.push({ path, isDirectory: true, data: new Uint8Array(0), mtimeMs: st.mtimeMs, mode: st.mode & 0o7777 });
        walk(hostPath, path);
      } else if (st.isFile()) {
        entries.push({ path, isDirectory: false, data: new Uint8Array(readFileSync(hostPath)), mtimeMs: st.mtimeMs, mode: st.mode & 0o7777 });
      }
    }
  };
  walk(dir, '');
  return { entries };
}

/** The image as a cpio newc archive in a SharedArrayBuffer, ready to attach as a device. */
export function packInitrd(image: InitrdImage): SharedArrayBuffer {
  const bytes = encodeCpio(image);
  const buffer = new SharedArrayBuffer(Math.max(bytes.length, 4));
  new Uint8Array(buffer).set(bytes);
  return buffer;
}

/** The `initrd` device for Machine.boot's `devices`, driven by ramfs (a directory path or an image). */
export function initrdDevice(source: string | InitrdImage): DeviceAttachment {
  const image = typeof source === 'string' ? readInitrd(source) : source;
  return { name: 'initrd', library: 'ramfs', buffer: packInitrd(image), wake() {} };
}
