// The VFS's system-call table: exactly the vfscore calls sqlite declares, resolved through the
// image once each, in the declared order (a call not declared would not resolve in an image).

import t from 'tap';
import { sqlite } from '../../../workloads/sqlite/exports.js';
import { SYSCALL_NAMES, resolveSyscalls } from '../../../workloads/sqlite/syscalls.js';

t.test('the table is what sqlite declares of vfscore, in order', async (t) => {
  t.same([...SYSCALL_NAMES], sqlite.calls?.['vfscore']);
});

t.test('each entry is resolved once, through ctx.import, in the declared order', async (t) => {
  const resolved: string[] = [];
  const sys = resolveSyscalls({ import: (library, fn) => (resolved.push(`${library}.${fn}`), () => resolved.length) });
  t.same(resolved, SYSCALL_NAMES.map((fn) => `vfscore.${fn}`));
  t.equal(sys.fcntl(3, 6, 0), SYSCALL_NAMES.indexOf('fcntl') + 1, 'each name holds its own import');
});
