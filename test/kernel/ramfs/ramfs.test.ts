// ramfs: the initrd (cpio newc packing on the host, unpacking into the tree at boot), where file
// data lives (blocks in ramfs's private heap region, out of the app's reach under MPK), holes and
// block boundaries, and running out of heap. Driven through vfscore like an app would.

import t from 'tap';
import fc from 'fast-check';
import { mkdtempSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { FsDriver } from '../../fixtures/fs/driver.js';
import { decodeCpio, encodeCpio, normalisePath } from '../../../kernel/ramfs/cpio.js';
import { initrdDevice, packInitrd, readInitrd } from '../../../compartments/host/devices/initrd.js';
import { BLOCK_BYTES } from '../../../kernel/ramfs/blocks.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { O_CREAT, O_RDONLY, O_RDWR, S_IFDIR, S_IFREG, STAT_BYTES, X_OK } from '../../../kernel/vfscore/flags.js';
import { offsetOf, regionOf } from '../../../shm/address.js';

const E = ERRNO;
const FIXTURE = fileURLToPath(new URL('../../../../test/fixtures/fs/initrd/', import.meta.url));
const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (seed + i * 13 + (i >> 8)) & 255);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

t.test('cpio newc: decode(encode(image)) gives back every entry, mtimes to the second', async (t) => {
  const name = fc.stringMatching(/^[a-z0-9._-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
  const entry = fc.record({
    path: fc.array(name, { minLength: 1, maxLength: 3 }).map((c) => c.join('/')),
    isDirectory: fc.boolean(),
    data: fc.uint8Array({ maxLength: 600 }),
    mtimeMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    mode: fc.integer({ min: 0, max: 0o7777 }),
  });
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 12 }), (entries) => {
      const decoded = decodeCpio(encodeCpio({ entries })).entries;
      const expected = entries.map((e) => ({ ...e, data: e.isDirectory ? new Uint8Array(0) : e.data, mtimeMs: Math.floor(e.mtimeMs / 1000) * 1000 }));
      return isDeepStrictEqual(decoded, expected);
    }),
    { numRuns: 100 },
  );
  t.pass('100 random images round-trip');
  const packed = encodeCpio({ entries: [{ path: 'x', isDirectory: false, data: text('hi'), mtimeMs: 0 }] });
  t.equal(new TextDecoder().decode(packed.subarray(0, 6)), '070701', 'the newc magic');
  t.equal(packed.length % 4, 0, 'records are padded to 4 bytes');
  t.match(new TextDecoder().decode(packed), /TRAILER!!!/, 'ends with the trailer');
});

t.test('cpio newc: decoding refuses damage and paths that leave the root', async (t) => {
  const good = encodeCpio({ entries: [{ path: 'etc/a', isDirectory: false, data: text('abc'), mtimeMs: 0 }] });
  const badMagic = good.slice();
  badMagic[0] = 0x39;
  t.throws(() => decodeCpio(badMagic), /bad cpio magic/);
  t.throws(() => decodeCpio(good.subarray(0, 117)), /past the end/, 'a truncated archive');
  const escaping = encodeCpio({ entries: [{ path: 'ab/x', isDirectory: false, data: text('x'), mtimeMs: 0 }] });
  escaping.set(text('..'), 110);
  t.throws(() => decodeCpio(escaping), /leaves the root/, 'an entry named ../x');
  const dot = encodeCpio({ entries: [{ path: 'a', isDirectory: true, data: new Uint8Array(0), mtimeMs: 0 }] });
  dot.set(text('.'), 110);
  t.same(decodeCpio(dot).entries, [], 'the "." entry (the root itself) is skipped');
  t.throws(() => normalisePath('etc/../../x'), /leaves the root/);
  t.equal(normalisePath('./etc//hostname/'), 'etc/hostname');
  const padded = new Uint8Array(good.length + 64);
  padded.set(good);
  t.equal(decodeCpio(padded).entries.length, 1, 'bytes after the trailer are ignored (a device buffer larger than the archive)');
});

t.test('readInitrd walks a host directory: parents first, names sorted, bytes, modes, symlinks skipped', async (t) => {
  const image = readInitrd(FIXTURE);
  t.same(
    image.entries.map((e) => `${e.isDirectory ? 'd' : 'f'} ${e.path}`),
    ['f README', 'd bin', 'f bin/hello.sh', 'd etc', 'f etc/hostname', 'd www', 'd www/img', 'f www/img/pixels.bin', 'f www/index.html'],
  );
  const pixels = image.entries.find((e) => e.path === 'www/img/pixels.bin');
  t.same(pixels?.data, bytes(5000, 0).map((_, i) => (i * 13 + (i >> 8)) & 255));
  t.equal(image.entries.find((e) => e.path === 'bin/hello.sh')?.mode, 0o755);

  const dir = mkdtempSync(join(tmpdir(), 'flexos-initrd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'file'), 'x');
  symlinkSync(join(dir, 'file'), join(dir, 'link'));
  t.same(readInitrd(dir).entries.map((e) => e.path), ['empty', 'file'], 'empty directories kept, symlinks skipped');
  t.throws(() => readInitrd(join(dir, 'file')), TypeError);
  t.equal(packInitrd(readInitrd(dir)).byteLength % 4, 0);
});

t.test('ramfs unpacks the initrd device at boot; vfscore reads it back byte for byte (ramfs isolated by MPK)', async (t) => {
  const d = await FsDriver.boot('mpk-ramfs', { devices: [initrdDevice(FIXTURE)] });
  t.teardown(() => d.shutdown());
  const image = readInitrd(FIXTURE);
  const b = d.batch();
  const reads = image.entries
    .filter((e) => !e.isDirectory)
    .map((e) => {
      const fd = b.call('open', ...b.path(`/${e.path}`), O_RDONLY, 0);
      const out = b.out(e.data.length + 1);
      const n = b.call('read', fd, out, e.data.length + 1);
      b.call('close', fd);
      return { e, out, n };
    });
  const root = b.list('/', 10);
  const www = b.list('/www', 10);
  const st = b.out(STAT_BYTES);
  const hostname = b.call('stat', ...b.path('/etc/hostname'), st);
  const dst = b.out(STAT_BYTES);
  b.call('stat', ...b.path('/www/img'), dst);
  const x = b.call('access', ...b.path('/bin/hello.sh'), X_OK);
  const res = await b.run();
  for (const { e, out, n } of reads) {
    t.equal(res.rc(n), e.data.length, `${e.path}: its size`);
    t.same(res.bytes(out, e.data.length), e.data, `${e.path}: its bytes`);
  }
  t.same(root(res), ['.', '..', 'README', 'bin', 'etc', 'www']);
  t.same(www(res), ['.', '..', 'img', 'index.html']);
  t.equal(res.rc(hostname), 0);
  const s = res.stat(st);
  t.equal(s.mode, S_IFREG | 0o644);
  t.equal(s.mtimeMs, Math.floor(statSync(join(FIXTURE, 'etc/hostname')).mtimeMs / 1000) * 1000, 'mtime from the archive');
  t.equal(res.stat(dst).mode & S_IFDIR, S_IFDIR);
  t.equal(res.rc(x), 0, 'the execute bit survived');
  t.equal(await d.run('unlink', '/etc/hostname'), 0, 'the unpacked tree is an ordinary, writable ramfs');
});

t.test('without an initrd the root is empty; a damaged one stops the boot', async (t) => {
  const d = await FsDriver.boot('fcalls');
  const b = d.batch();
  const names = b.list('/', 4);
  t.same(names(await b.run()), ['.', '..']);
  await d.shutdown();
  const junk = new SharedArrayBuffer(256);
  new Uint8Array(junk).fill(0x41);
  // The machine's workers and its shutdown grace timer are unref'd: while the failed boot tears the
  // machine down, nothing else may keep the event loop alive, and tap would end the test early.
  const keepAlive = setInterval(() => {}, 1000);
  t.teardown(() => clearInterval(keepAlive));
  await t.rejects(FsDriver.boot('fcalls', { devices: [{ name: 'initrd', library: 'ramfs', buffer: junk, wake() {} }] }), { code: 'FLEXOS_ERR_BOOT', message: /cpio newc/ });
});

t.test('file data lives in ramfs private heap region, which the app cannot read under MPK', async (t) => {
  for (const layout of ['fcalls', 'mpk-ramfs'] as const) {
    const d = await FsDriver.boot(layout);
    const secret = text(`secret of ${layout}: ${'#'.repeat(40)}`);
    const fd = await d.run('open', '/secret', O_CREAT | O_RDWR, 0o600);
    const b = d.batch();
    b.call('write', fd, ...b.data(secret));
    await b.run();
    d.scratch.fill(0, 0, d.scratch.length); // the only other copy
    const ramfsCompartment = d.machine.image.config.libraries.find((l) => l.name === 'ramfs')?.compartment;
    const heap = d.machine.regions.find((r) => r.name === `heap.${ramfsCompartment}`);
    const heapBytes = new Uint8Array(heap!.buffer);
    const at = Buffer.from(heapBytes).indexOf(Buffer.from(secret));
    t.ok(at > 0, `${layout}: the file's bytes are in region ${heap?.name}`);
    const address = heap!.id * 2 ** 32 + at;
    t.equal(regionOf(address), heap!.id);
    if (layout === 'fcalls') {
      t.equal(await d.call('peek', address), secret[0], 'fcalls: nothing stops the app from reading them');
    } else {
      await t.rejects(d.call('peek', address), /protection fault/, 'intel-pku: the app faults reading them');
      t.equal(offsetOf(address), at);
    }
    await d.shutdown();
  }
});

t.test('holes read as zeros, blocks are allocated only where written, truncation frees them', async (t) => {
  const d = await FsDriver.boot('mpk-ramfs');
  t.teardown(() => d.shutdown());
  const before = await d.ramfsHeapUsed();
  const b = d.batch();
  const fd = b.call('open', ...b.path('/sparse'), O_CREAT | O_RDWR, 0o644);
  const tail = bytes(100, 9);
  const w = b.call('pwrite', fd, ...b.data(tail), 10 * BLOCK_BYTES - 50); // straddles blocks 9 and 10
  const st = b.out(STAT_BYTES);
  b.call('fstat', fd, st);
  const hole = b.out(BLOCK_BYTES * 2);
  const rh = b.call('pread', fd, hole, BLOCK_BYTES * 2, 3 * BLOCK_BYTES);
  const edge = b.out(200);
  const re = b.call('pread', fd, edge, 200, 10 * BLOCK_BYTES - 100);
  const res = await b.run();
  t.equal(res.rc(w), 100);
  const s = res.stat(st);
  t.equal(s.size, 10 * BLOCK_BYTES + 50);
  t.equal(s.blocks, (2 * BLOCK_BYTES) / 512, 'two blocks, not eleven');
  t.equal(res.rc(rh), BLOCK_BYTES * 2);
  t.same(res.bytes(hole, BLOCK_BYTES * 2), new Uint8Array(BLOCK_BYTES * 2), 'a hole reads as zeros');
  t.equal(res.rc(re), 150, 'a read stops at the end of the file');
  t.same(res.bytes(edge, 150), Uint8Array.from([...new Uint8Array(50), ...tail]));
  const grown = await d.ramfsHeapUsed();
  t.ok(grown - before >= 2 * BLOCK_BYTES && grown - before < 3 * BLOCK_BYTES, 'two blocks of heap');
  t.equal(await d.run('ftruncate', res.rc(fd), 10 * BLOCK_BYTES - 60), 0);
  t.ok((await d.ramfsHeapUsed()) - before < 2 * BLOCK_BYTES, 'cutting below block 10 freed it');
  t.equal(await d.run('close', res.rc(fd)), 0);
  t.equal(await d.run('unlink', '/sparse'), 0);
  t.equal(await d.ramfsHeapUsed(), before, 'unlink of a closed file frees everything');
});

t.test('a full heap gives a short write then ENOSPC; unlink gives the space back', async (t) => {
  const d = await FsDriver.boot('mpk-ramfs', { heap: '1MiB' });
  t.teardown(() => d.shutdown());
  const b = d.batch();
  const chunk = b.data(bytes(64 * 1024, 3));
  const fd = b.call('open', ...b.path('/big'), O_CREAT | O_RDWR, 0o644);
  const writes = Array.from({ length: 20 }, () => b.call('write', fd, ...chunk));
  const st = b.out(STAT_BYTES);
  b.call('fstat', fd, st);
  b.call('close', fd);
  const ul = b.call('unlink', ...b.path('/big'));
  const fd2 = b.call('open', ...b.path('/again'), O_CREAT | O_RDWR, 0o644);
  const again = b.call('write', fd2, ...chunk);
  const res = await b.run();
  const counts = writes.map((w) => res.rc(w));
  const full = counts.filter((n) => n === 64 * 1024).length;
  t.ok(full >= 10 && full < 16, `whole writes until the 1 MiB heap is nearly full (${full})`);
  t.ok(counts[full]! > 0 && counts[full]! < 64 * 1024, 'then a short write');
  t.same(counts.slice(full + 1), counts.slice(full + 1).map(() => -E.ENOSPC), 'then ENOSPC');
  t.equal(res.stat(st).size, full * 64 * 1024 + counts[full]!, 'the file holds exactly what was written');
  t.equal(res.rc(ul), 0);
  t.equal(res.rc(again), 64 * 1024, 'space is back after unlink');
});
