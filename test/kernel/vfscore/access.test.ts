// access() alone, over a fake memory, a fake shared heap and fake ramfs vnode operations: read and
// write are granted to root without asking ramfs; X_OK asks getattr into the stat scratch taken from
// the shared heap at init, and is granted for directories and files with an execute bit.

import t from 'tap';
import { Access } from '../../../kernel/vfscore/access.js';
import { PathLookup } from '../../../kernel/vfscore/lookup.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { F_OK, R_OK, S_IFDIR, S_IFREG, STAT_BYTES, STAT_MODE, W_OK, X_OK } from '../../../kernel/vfscore/flags.js';
import { FakeMemory, fakeVnops } from '../../fixtures/fs/fakes.js';

const E = ERRNO;
/** /tool (ino 2, mode 0755), /notes (ino 3, mode 0644), /dir (ino 4, a directory with no execute bit). */
const NAMES: Record<string, number> = { tool: 2, notes: 3, dir: 4 };
const MODES: Record<number, number> = { 2: S_IFREG | 0o755, 3: S_IFREG | 0o644, 4: S_IFDIR | 0o600 };

function world(options: { heapFull?: boolean } = {}) {
  const memory = new FakeMemory();
  const scratch = memory.at(8192);
  const heapCalls: string[] = [];
  const sharedHeap = {
    malloc: (size: number) => (heapCalls.push(`malloc(${size})`), options.heapFull ? 0 : scratch),
    free: (address: number) => void heapCalls.push(`free(${address})`),
  };
  const { vop, calls } = fakeVnops(memory, {
    mount: () => 1,
    lookup: (_dir, name, length) => NAMES[memory.readString(name, length)] ?? -E.ENOENT,
    getattr: (ino, stat) => {
      memory.view(stat, STAT_BYTES).fill(0);
      new DataView(memory.bytes.buffer).setInt32(stat - FakeMemory.BASE + STAT_MODE, MODES[ino] ?? 0, true);
      return 0;
    },
  });
  const paths = new PathLookup({ memory, vop });
  paths.mount();
  calls.length = 0;
  const access = new Access({ paths, vop, memory, sharedHeap });
  const path = (text: string): [number, number] => memory.put(memory.at(0), text);
  return { access, calls, heapCalls, path, scratch };
}

t.test('the stat scratch comes from the shared heap at init and goes back at stop', async (t) => {
  const { access, heapCalls, scratch } = world();
  access.init();
  access.stop();
  access.stop();
  t.same(heapCalls, [`malloc(${STAT_BYTES})`, `free(${scratch})`], 'freed once');
  t.throws(() => world({ heapFull: true }).access.init(), { code: 'FLEXOS_ERR_OUT_OF_MEMORY', message: 'vfscore: the shared heap is exhausted' });
});

t.test('F_OK, R_OK and W_OK need the path to exist, and nothing more from ramfs', async (t) => {
  const { access, calls, path } = world();
  access.init();
  t.equal(access.access(...path('/notes'), F_OK), 0);
  t.equal(access.access(...path('/notes'), R_OK | W_OK), 0, 'root reads and writes everything');
  t.equal(access.access(...path('/missing'), R_OK), -E.ENOENT);
  t.same(calls, ['lookup(1,"notes",0)', 'lookup(1,"notes",0)', 'lookup(1,"missing",0)']);
});

t.test('X_OK reads the mode through getattr into the scratch', async (t) => {
  const { access, calls, path, scratch } = world();
  access.init();
  t.equal(access.access(...path('/tool'), X_OK), 0);
  t.equal(access.access(...path('/notes'), X_OK | R_OK), -E.EACCES, 'no execute bit');
  t.equal(access.access(...path('/dir'), X_OK), 0, 'a directory is searchable by root');
  t.same(calls.filter((c) => c.startsWith('getattr')), [`getattr(2,${scratch})`, `getattr(3,${scratch})`, `getattr(4,${scratch})`]);
});

t.test('a mode outside F_OK | R_OK | W_OK | X_OK is refused before the path is read', async (t) => {
  const { access, calls, path } = world();
  access.init();
  t.equal(access.access(...path('/tool'), 8), -E.EINVAL);
  t.equal(access.access(...path('/tool'), 0.5), -E.EINVAL);
  t.equal(access.access(8, 4, F_OK), -E.EFAULT, 'then a path vfscore cannot read');
  t.same(calls, []);
});
