// The library OS's test matrix: echoapp booted under fcalls, intel-pku with 2 and 3 compartments and
// vmept with 2, each with the shared, DSS and heap stack strategies, echoing byte-identical data to
// real TCP clients (small to far past the 64 KiB rings, concurrent clients, a client that resets
// mid-stream), then the gate crossing matrix of the run and the shared heap back to where it was;
// with vfscore and ramfs in the kernel, a file round trip too, also with the filesystem isolated.

import t, { type Test } from 'tap';
import { RegionHeap } from '../../shm/heap.js';
import type { GateKind } from '../../compartments/gates/crossings.js';
import { bootEcho, closed, connect, exchange, firstDifference, pattern, receive, type EchoImage, type EchoOptions, type Layout, type Sharing } from '../fixtures/echoapp/harness.js';
import { HAS_FS } from '../fixtures/echoapp/registry.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The filesystem in a compartment of its own (the paper's SQLite layouts isolate {vfscore, ramfs}). */
const FS_APART: EchoOptions = { place: { vfscore: 'comp3', ramfs: 'comp3' } };

const MATRIX: readonly (readonly [Layout, Sharing, EchoOptions?])[] = [
  ['none', 'shared'],
  ['mpk2', 'shared'],
  ['mpk2', 'dss'],
  ['mpk2', 'heap'],
  ['mpk3', 'shared'],
  ['mpk3', 'dss'],
  ['mpk3', 'heap'],
  ['ept2', 'shared'],
  ['ept2', 'dss'],
  ['ept2', 'heap'],
  ...(HAS_FS
    ? ([
        ['mpk2', 'dss', FS_APART],
        ['ept2', 'heap', FS_APART],
      ] as const)
    : []),
];

/** The bytes echoapp's fileRoundTrip(lines) writes and reads back (its line format). */
function roundTripBytes(lines: number): number {
  let n = 0;
  for (let i = 0; i < lines; i++) n += `line ${i} ${'x'.repeat((i * 37) % 200)}\n`.length;
  return n;
}

/** Sizes around the MSS (1460), echoapp's 16 KiB reads and the 64 KiB rings, then well past them. */
const SEQUENTIAL = [0, 1, 100, 1460, 1461, 16 * KiB + 1, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1, 200 * KiB, 1 * MiB];
const CONCURRENT = [300 * KiB, 150 * KiB, 70 * KiB, 5000];
const RESET_SIZE = 512 * KiB;
/** Connections serve() must see end: the sequential ones, the concurrent ones, the reset one and one after it. */
const CONNECTIONS = SEQUENTIAL.length + CONCURRENT.length + 2;

function expectedKind(layout: Layout, sharing: Sharing): GateKind {
  if (layout === 'none') return 'function';
  if (layout === 'ept2') return 'ept';
  return sharing === 'shared' ? 'mpk-light' : 'mpk-dss';
}

/** The edges an echo must cross: the app's socket calls, and lwip's driver, memcpy, lock and clock calls. */
const ECHO_EDGES = ['echoapp->lwip', 'lwip->netdev', 'lwip->newlib', 'lwip->uksched', 'lwip->uktime'];

async function checkEcho(t: Test, port: number, size: number, seed: number): Promise<void> {
  const payload = pattern(size, seed);
  const got = await exchange(port, payload);
  const at = firstDifference(got, payload);
  t.equal(at, -1, `${size} bytes came back identical${at >= 0 ? ` (first difference at byte ${at}, got ${got.length} bytes)` : ''}`);
}

function sharedHeapUsed(img: EchoImage): number {
  const region = img.machine.regions.find((r) => r.name === 'shared-heap');
  if (!region) throw new Error('no shared heap');
  return RegionHeap.attach(region).stats().used;
}

for (const [layout, sharing, options] of MATRIX) {
  const fsApart = options !== undefined;
  t.test(`echoapp on ${layout} with ${sharing} stacks${fsApart ? ', the filesystem in comp3' : ''}`, async (t) => {
    const img = await bootEcho(t, layout, sharing, options);
    const kind = expectedKind(layout, sharing);
    t.equal(img.machine.image.gateKind, kind, `the image uses ${kind} gates`);
    const sharedBefore = sharedHeapUsed(img);
    const before = img.machine.counters.snapshot();
    const served = img.machine.run('echoapp', 'serve', [img.port, CONNECTIONS]);
    let echoed = 0;

    await t.test('one client at a time, 0 B to 1 MiB', async (t) => {
      for (const [i, size] of SEQUENTIAL.entries()) await checkEcho(t, img.port, size, i);
      echoed += SEQUENTIAL.reduce((a, b) => a + b, 0);
    });

    await t.test('concurrent clients, past the rings', async (t) => {
      await Promise.all(CONCURRENT.map((size, i) => checkEcho(t, img.port, size, 100 + i)));
      echoed += CONCURRENT.reduce((a, b) => a + b, 0);
    });

    await t.test('a client that resets mid-stream leaves the server serving', async (t) => {
      const socket = await connect(img.port);
      const payload = pattern(RESET_SIZE, 7);
      socket.write(payload);
      const first = await receive(socket, 1);
      t.equal(firstDifference(first, payload.subarray(0, first.length)), -1, 'what came back before the reset is the start of the payload');
      socket.resetAndDestroy();
      await closed(socket);
      await checkEcho(t, img.port, 100 * KiB, 8);
      echoed += 100 * KiB;
    });

    const total = await served;
    t.ok(total >= echoed && total <= echoed + RESET_SIZE, `serve() returned after ${CONNECTIONS} connections, having echoed ${total} bytes (${echoed} from the clients that finished)`);
    t.equal(img.machine.failure, null, 'no compartment failed');

    const rows = img.machine.counters.rowsSince(before);
    const placed = new Map(img.config.libraries.map((l) => [l.name, l.compartment]));
    if (layout === 'none') {
      t.same(rows, [], 'fcalls: no gate was crossed');
    } else {
      const seen = new Map(rows.map((r) => [`${r.caller}->${r.callee}`, r]));
      for (const edge of ECHO_EDGES) t.ok((seen.get(edge)?.count ?? 0) > 0, `${edge} was crossed`);
      t.ok(rows.every((r) => r.kind === kind), `every crossing is a ${kind} gate`);
      t.same(
        rows.filter((r) => placed.get(r.caller) === placed.get(r.callee)),
        [],
        'no crossing between libraries of the same compartment',
      );
      t.ok((seen.get('echoapp->lwip')?.count ?? 0) >= CONNECTIONS * 3, 'echoapp->lwip: at least accept, read and close per connection');
      if (layout === 'mpk3') t.notOk(seen.has('echoapp->uksched'), 'the app does not call the scheduler directly');
    }
    t.equal(sharedHeapUsed(img), sharedBefore, 'every pbuf and converted stack variable went back to the shared heap');

    if (HAS_FS) {
      await t.test('a file round trip through vfscore and ramfs', async (t) => {
        const before = img.machine.counters.snapshot();
        t.equal(await img.machine.run('echoapp', 'fileRoundTrip', [300]), roundTripBytes(300), '300 lines appended, read back identical');
        const crossed = img.machine.counters.rowsSince(before).find((r) => r.caller === 'echoapp' && r.callee === 'vfscore')?.count ?? 0;
        if (fsApart) t.ok(crossed >= 300, `each write crossed echoapp -> vfscore (${crossed} crossings)`);
        else t.equal(crossed, 0, 'vfscore shares the app compartment: no gate');
        t.equal(sharedHeapUsed(img), sharedBefore, 'nothing leaked in the shared heap');
      });
    }
  });
}
