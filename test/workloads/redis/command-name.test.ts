// processCommand's compares of a command name, alone over a fake memory and a recording strcasecmp:
// QUIT is checked first, a name in the table is compared with its key, a pipeline stages a name once.

import t from 'tap';
import { CommandNames } from '../../../workloads/redis/command-name.js';

function setup() {
  const bytes = new Uint8Array(4096);
  let next = 16;
  const cString = (at: number): string => {
    let s = '';
    for (let i = at; bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  };
  const calls: [string, string][] = [];
  let writes = 0;
  const names = new CommandNames({
    memory: {
      writeBytes: (at, source) => {
        writes++;
        bytes.set(source, at);
      },
      write8: (at, value) => void (bytes[at] = value),
    },
    heap: { calloc: (count, size) => ((next += count * size + 8), next - count * size - 8) },
    strcasecmp: (a, b) => {
      const x = cString(a);
      const y = cString(b);
      calls.push([x, y]);
      return x.toLowerCase() === y.toLowerCase() ? 0 : x.toLowerCase() < y.toLowerCase() ? -1 : 1;
    },
    known: (name) => ['get', 'set'].includes(name),
  });
  t.ok(names.init(), 'init allocates the staging buffer and "quit"');
  return { names, calls, writes: () => writes };
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

t.test('a command of the table: strcasecmp with "quit", then with its table key', async (t) => {
  const { names, calls } = setup();
  names.compare(enc('GET'));
  t.same(calls, [['GET', 'quit'], ['GET', 'get']]);
});

t.test('QUIT stops after the first compare; an unknown name has no key to compare with', async (t) => {
  const { names, calls } = setup();
  names.compare(enc('Quit'));
  t.same(calls, [['Quit', 'quit']], 'quit: one compare');
  calls.length = 0;
  names.compare(enc('nosuchcommand'));
  t.same(calls, [['nosuchcommand', 'quit']], 'unknown: only the QUIT check');
});

t.test('a pipeline of one command stages its name once and compares it every time', async (t) => {
  const { names, calls, writes } = setup();
  const before = writes();
  for (let i = 0; i < 16; i++) names.compare(enc('GET'));
  t.equal(calls.length, 32, 'two compares per command');
  t.equal(writes() - before, 2, 'one write of the name, one of its table key');
  names.compare(enc('set'));
  t.same(calls.at(-1), ['set', 'set'], 'a new name is staged and compared with its own key');
});
