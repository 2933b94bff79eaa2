// Fuzzing the Redis wire parser: random and malformed bytes, split anywhere, only ever give
// commands, a fatal protocol error or null (more bytes needed); never an exception or a hang.

import t from 'tap';
import fc from 'fast-check';
import { RespParser } from '../../workloads/redis/resp.js';

const encoder = new TextEncoder();

/** RESP-shaped fragments: headers with odd counts and lengths, bulks, inline text, stray CR/LF/NUL. */
const fragment = fc.oneof(
  fc.constantFrom('*', '$', '\r\n', '\r', '\n', '\0', ' ', '"', "'", '\\x', '*-1\r\n', '*0\r\n', '$-1\r\n'),
  fc.integer({ min: -5, max: 1 << 30 }).map((n) => `*${n}\r\n`),
  fc.integer({ min: -5, max: 600 * 1024 * 1024 }).map((n) => `$${n}\r\n`),
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 20 }).map((s) => `$${s.length}\r\n${s}\r\n`),
);
const respBytes = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.array(fragment, { maxLength: 30 }).map((parts) => encoder.encode(parts.join(''))),
);

/** Feeds `input` in the given cut points and drains after each feed; returns what came out. */
function drain(input: Uint8Array, cuts: number[]): { commands: number; errors: number } {
  const parser = new RespParser(16);
  let commands = 0;
  let errors = 0;
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, input.length]) {
    parser.feed(input.subarray(from, to));
    from = Math.max(from, to);
    // A fatal error is sticky: next() returns it again, so stop at the first one.
    for (let guard = 0; guard <= input.length + 1; guard++) {
      const r = parser.next();
      if (r === null) break;
      if ('error' in r) {
        if (typeof r.error !== 'string' || r.fatal !== true) throw new Error(`malformed error result ${JSON.stringify(r)}`);
        errors++;
        return { commands, errors };
      }
      if (!Array.isArray(r.argv) || !r.argv.every((a) => a instanceof Uint8Array)) throw new Error('argv is not a list of byte strings');
      commands++;
      if (guard === input.length + 1) throw new Error('next() produced more commands than there are bytes');
    }
  }
  return { commands, errors };
}

t.test('RespParser: random and malformed input only gives commands, errors or null', (t) => {
  fc.assert(
    fc.property(respBytes, fc.array(fc.nat(), { maxLength: 6 }), (input, cuts) => {
      drain(input, cuts);
    }),
    { numRuns: 2000 },
  );
  t.end();
});

t.test('RespParser: the same input split differently gives the same commands', (t) => {
  fc.assert(
    fc.property(respBytes, fc.array(fc.nat(), { maxLength: 6 }), (input, cuts) => {
      const whole = drain(input, []);
      const split = drain(input, cuts);
      return whole.commands === split.commands && whole.errors === split.errors;
    }),
    { numRuns: 1000 },
  );
  t.end();
});

t.test('RespParser: the fuzzer can find an error (the property is not vacuous)', (t) => {
  t.same(drain(encoder.encode('*1\r\n$x\r\n'), []), { commands: 0, errors: 1 }, 'a bad bulk length is a fatal error');
  t.same(drain(encoder.encode('*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n'), [3, 9]), { commands: 2, errors: 0 }, 'split commands come out whole');
  t.end();
});
