// ramfs's initrd unpacking alone, over a fake device and heap: no device leaves an empty root; an
// archive's files, directories, modes and mtimes land in the tree with missing parents made; a later
// entry replaces an earlier one; what cannot be unpacked stops the boot with a FLEXOS_ERR_* code.

import t from 'tap';
import { encodeCpio, type InitrdEntry } from '../../../kernel/ramfs/cpio.js';
import { unpackInitrd, type InitrdSource } from '../../../kernel/ramfs/initrd.js';
import { ROOT_INO, VnodeTable, type Vnode } from '../../../kernel/ramfs/vnode.js';
import { S_IFDIR, S_IFREG } from '../../../kernel/vfscore/flags.js';
import { ramfsWorld } from '../../fixtures/fs/fakes.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const file = (path: string, data: string, extra: Partial<InitrdEntry> = {}): InitrdEntry => ({ path, isDirectory: false, data: text(data), mtimeMs: 7000, ...extra });
const dir = (path: string, extra: Partial<InitrdEntry> = {}): InitrdEntry => ({ path, isDirectory: true, data: new Uint8Array(0), mtimeMs: 8000, ...extra });

function device(bytes: Uint8Array | undefined): InitrdSource {
  return {
    compartment: { name: 'comp2', index: 1 },
    device(name) {
      if (bytes === undefined || name !== 'initrd') throw new TypeError(`no device ${name}`);
      const buffer = new SharedArrayBuffer(bytes.length);
      new Uint8Array(buffer).set(bytes);
      return buffer;
    },
  };
}

function unpack(entries: readonly InitrdEntry[] | undefined, blocks = 16) {
  const world = ramfsWorld({ blocks });
  const vnodes = new VnodeTable({ store: world, clock: world.clock.read });
  const run = (): void => unpackInitrd(vnodes, device(entries && encodeCpio({ entries })));
  /** The vnode at a slash-separated path from the root. */
  const at = (path: string): Vnode | undefined => {
    let node: Vnode | undefined = vnodes.root;
    for (const c of path.split('/')) node = node?.kind === 'dir' ? vnodes.get(node.entries.get(c) ?? 0) : undefined;
    return node;
  };
  const contents = (path: string): string => {
    const node = at(path);
    if (node?.kind !== 'file') return `(${node?.kind ?? 'missing'})`;
    const out = new Uint8Array(node.data.size);
    node.data.readInto(out, 0);
    return new TextDecoder().decode(out);
  };
  return { ...world, vnodes, run, at, contents };
}

t.test('without an initrd device the root stays empty', async (t) => {
  const { vnodes, run } = unpack(undefined);
  run();
  t.equal(vnodes.size, 1);
  t.equal(vnodes.root.entries.size, 0);
});

t.test('files and directories land in the tree with their bytes, modes and mtimes; parents are made', async (t) => {
  const { run, at, contents, vnodes } = unpack([file('etc/hostname', 'flexos\n', { mode: 0o600 }), dir('var/empty', { mode: 0o700 }), file('README', 'hi')]);
  run();
  t.equal(contents('etc/hostname'), 'flexos\n');
  t.equal(contents('README'), 'hi');
  t.equal(at('etc/hostname')?.mode, S_IFREG | 0o600);
  t.equal(at('etc/hostname')?.mtimeMs, 7000);
  t.equal(at('etc')?.mode, S_IFDIR | 0o755, 'a parent the archive did not list: 0755');
  t.equal(at('var/empty')?.mode, S_IFDIR | 0o700);
  t.equal(at('var/empty')?.mtimeMs, 8000);
  t.equal(vnodes.root.nlink, 4, 'the root links etc and var');
  const etc = at('etc');
  t.equal(etc?.kind === 'dir' && etc.parent, ROOT_INO);
});

t.test('a directory listed after its children takes the archive mode and time', async (t) => {
  const { run, at, contents } = unpack([file('www/index.html', 'page'), dir('www', { mode: 0o711, mtimeMs: 9000 })]);
  run();
  t.equal(at('www')?.mode, S_IFDIR | 0o711);
  t.equal(at('www')?.mtimeMs, 9000);
  t.equal(contents('www/index.html'), 'page', 'its children stay');
});

t.test('a later file replaces an earlier one of the same path, giving its blocks back', async (t) => {
  const { run, contents, heap } = unpack([file('index.html', 'old'), file('index.html', 'new')]);
  run();
  t.equal(contents('index.html'), 'new');
  t.equal(heap.live, 1);
});

t.test('what cannot be unpacked stops the boot with a code', async (t) => {
  const junk = unpack(undefined);
  t.throws(() => unpackInitrd(junk.vnodes, device(new Uint8Array(200).fill(0x41))), { code: 'FLEXOS_ERR_BOOT', message: /does not hold a cpio newc archive: initrd: bad cpio magic/ });
  t.throws(unpack([file('a', 'x'), file('a/b', 'y')]).run, { code: 'FLEXOS_ERR_BOOT', message: 'ramfs: initrd entry a/b lies under a file' });
  t.throws(unpack([file('d/x', 'x'), file('d', 'y')]).run, { code: 'FLEXOS_ERR_BOOT', message: 'ramfs: initrd file d replaces a directory' });
  t.throws(unpack([file('big', 'x'.repeat(3 * 4096))], 2).run, { code: 'FLEXOS_ERR_OUT_OF_MEMORY', message: 'ramfs: the heap of compartment comp2 is too small for the initrd (big)' });
});
