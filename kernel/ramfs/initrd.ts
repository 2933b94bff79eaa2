// ramfs's side of the initrd: at init, the cpio newc archive on the `initrd` device (packed by the
// host, compartments/host/devices/initrd.ts) is unpacked into the vnode tree (FlexOS: ukcpio_extract).
// No device: an empty root. A damaged archive or one that does not fit stops the boot.

import type { LibraryContext } from '../abi/context.js';
import { FlexosError, OutOfMemoryError } from '../abi/errors.js';
import { S_IFDIR } from '../vfscore/flags.js';
import { keyOf } from './caller-memory.js';
import { decodeCpio, type InitrdEntry } from './cpio.js';
import type { DirVnode, VnodeTable } from './vnode.js';

/** What unpacking needs of the library context: the device, and the compartment to name in errors. */
export type InitrdSource = Pick<LibraryContext, 'device' | 'compartment'>;

const encoder = new TextEncoder();

export function unpackInitrd(vnodes: VnodeTable, source: InitrdSource): void {
  let device: SharedArrayBuffer;
  try {
    device = source.device('initrd');
  } catch {
    return; // no initrd attached: an empty root
  }
  let entries: readonly InitrdEntry[];
  try {
    entries = decodeCpio(new Uint8Array(device)).entries;
  } catch (error) {
    throw new FlexosError('FLEXOS_ERR_BOOT', `ramfs: the initrd device does not hold a cpio newc archive: ${(error as Error).message}`, { cause: error });
  }
  for (const entry of entries) populate(vnodes, entry, source.compartment.name);
}

/** Adds an initrd entry to the tree, creating missing parent directories. */
function populate(vnodes: VnodeTable, entry: InitrdEntry, compartment: string): void {
  const keys = entry.path.split('/').map((c) => keyOf(encoder.encode(c)));
  const last = keys.pop() as string;
  let dir: DirVnode = vnodes.root;
  for (const key of keys) {
    const existing = vnodes.get(dir.entries.get(key) ?? 0);
    if (existing?.kind === 'dir') {
      dir = existing;
      continue;
    }
    if (existing) throw new FlexosError('FLEXOS_ERR_BOOT', `ramfs: initrd entry ${entry.path} lies under a file`);
    const made = vnodes.newDir(dir.ino, 0o755);
    dir.entries.set(key, made.ino);
    dir.nlink++;
    dir = made;
  }
  const existing = vnodes.get(dir.entries.get(last) ?? 0);
  if (existing?.kind === 'dir' && entry.isDirectory) {
    // Already made as the parent of an earlier entry: take the archive's mode and time.
    existing.mode = S_IFDIR | ((entry.mode ?? 0o755) & 0o7777);
    existing.mtimeMs = existing.ctimeMs = entry.mtimeMs;
    return;
  }
  if (existing?.kind === 'dir' && existing.entries.size > 0) throw new FlexosError('FLEXOS_ERR_BOOT', `ramfs: initrd file ${entry.path} replaces a directory`);
  if (existing) vnodes.unlink(dir, last, existing);
  const node = entry.isDirectory ? vnodes.newDir(dir.ino, entry.mode ?? 0o755) : vnodes.newFile(entry.mode ?? 0o644);
  dir.entries.set(last, node.ino);
  if (node.kind === 'dir') dir.nlink++;
  if (node.kind === 'file' && node.data.writeFrom(entry.data, 0) < entry.data.length) {
    throw new OutOfMemoryError(`ramfs: the heap of compartment ${compartment} is too small for the initrd (${entry.path})`);
  }
  node.mtimeMs = node.ctimeMs = entry.mtimeMs;
  dir.listing = null;
}
