// The console behind fds 0-2 alone, over a fake memory and log: a write hands the text to the host
// console whole (nothing for an empty one), fstat describes a character device, and a buffer the
// caller cannot reach is -EFAULT.

import t from 'tap';
import { Console } from '../../../kernel/vfscore/console.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { S_IFCHR, STAT_BYTES, decodeStat } from '../../../kernel/vfscore/flags.js';
import { FakeMemory } from '../../fixtures/fs/fakes.js';

function consoleOverFakes() {
  const memory = new FakeMemory();
  const logged: string[] = [];
  return { memory, logged, console: new Console({ memory, log: (text) => logged.push(text) }) };
}

t.test('a console write goes to the host console whole', async (t) => {
  const { memory, logged, console } = consoleOverFakes();
  t.equal(console.write(...memory.put(memory.at(0), 'héllo\n')), 7);
  t.equal(console.write(memory.at(0), 0), 0);
  t.same(logged, ['héllo\n'], 'an empty write logs nothing');
  t.equal(console.write(8, 4), -ERRNO.EFAULT);
});

t.test('fstat of the console: a character device, crw--w----', async (t) => {
  const { memory, console } = consoleOverFakes();
  t.equal(console.stat(memory.at(0)), 0);
  t.same(decodeStat(memory.readBytes(memory.at(0), STAT_BYTES)), { size: 0, mtimeMs: 0, ctimeMs: 0, mode: S_IFCHR | 0o620, nlink: 1, ino: 0, blksize: 1024, blocks: 0, dev: 0 });
  t.equal(console.stat(8), -ERRNO.EFAULT);
});
