// The RESP2 parser against split, pipelined, inline and malformed input, with Redis 5's exact
// protocol errors; a property test that encoded commands split anywhere parse back; the writer's bytes.

import t from 'tap';
import fc from 'fast-check';
import type { ParseResult } from '../../../workloads/redis/resp.js';
import {
  PROTO_INLINE_MAX_SIZE,
  ReplyWriter,
  RespParser,
  SHRINK_ABOVE,
  encodeCommand,
  splitInlineArgs,
} from '../../../workloads/redis/resp.js';

const b = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const str = (u: Uint8Array): string => Buffer.from(u).toString('latin1');

/** Everything the parser yields for these chunks: argv as latin1 strings, errors as text. */
function parseAll(chunks: (string | Uint8Array)[], parser = new RespParser(64)): (string[] | string)[] {
  const out: (string[] | string)[] = [];
  for (const c of chunks) {
    parser.feed(typeof c === 'string' ? b(c) : c);
    for (let r: ParseResult | null = parser.next(); r !== null; r = parser.next()) {
      if ('error' in r) {
        out.push(r.error);
        return out;
      }
      out.push(r.argv.map(str));
    }
  }
  return out;
}

t.test('multibulk commands parse whole, pipelined, and split at every byte', async (t) => {
  const wire = '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$0\r\n\r\n';
  const want = [['SET', 'key', 'va\r\nl'], ['PING'], ['GET', '']];
  t.same(parseAll([wire]), want, 'one chunk holding three commands');
  for (let cut = 1; cut < wire.length; cut++) {
    t.same(parseAll([wire.slice(0, cut), wire.slice(cut)]), want, `split at ${cut}`);
  }
  t.same(parseAll([...wire]), want, 'one byte at a time');
  const p = new RespParser();
  p.feed(b('*2\r\n$4\r\nECHO\r\n$5\r\nhel'));
  t.equal(p.next(), null, 'an incomplete bulk needs more bytes');
  p.feed(b('lo\r\n'));
  const r = p.next();
  t.same(r !== null && 'argv' in r ? r.argv.map(str) : r, ['ECHO', 'hello'], 'and completes when they come');
  t.equal(p.buffered, 0, 'nothing is left buffered');
});

t.test('binary-safe bulks carry any byte, including CR, LF and NUL', async (t) => {
  const payload = Uint8Array.from({ length: 256 }, (_, i) => i);
  const p = new RespParser();
  p.feed(encodeCommand(['SET', 'k', payload]));
  const r = p.next();
  t.ok(r !== null && 'argv' in r);
  if (r !== null && 'argv' in r) t.same([...r.argv[2]!], [...payload]);
});

t.test('inline commands follow sdssplitargs quoting', async (t) => {
  t.same(parseAll(['PING\r\n', 'ping\n', 'set  a   b \r\n']), [['PING'], ['ping'], ['set', 'a', 'b']], 'CRLF or LF, runs of blanks');
  t.same(parseAll(['\r\n\r\n  \r\n*0\r\n*-1\r\nPING\r\n']), [['PING']], 'empty lines, *0 and *-1 run nothing');
  t.same(parseAll(['set k "a b\\x41\\n\\r\\t\\"\\\\\\q"\r\n']), [['set', 'k', 'a bA\n\r\t"\\q']], '"..." escapes');
  t.same(parseAll(["set k 'it\\'s \\n'\r\n"]), [['set', 'k', "it's \\n"]], "'...' only unescapes \\'");
  t.same(parseAll(['echo "" x\r\n']), [['echo', '', 'x']], 'an empty quoted argument');
  t.same(parseAll(['a"b c" d\r\n']), [['ab c', 'd']], 'a quote may open inside a word');
  t.same(parseAll(['set k "\\x4g"\r\n']), [['set', 'k', 'x4g']], 'an invalid \\x escape is a plain escaped char');
  t.same(splitInlineArgs(b('a b\0c d')), [b('a'), b('b')], 'a NUL ends the line, as the C string it is in Redis');
  for (const bad of ['echo "abc\r\n', 'a"b c"d\r\n', 'set k "a"b\r\n', "set k 'abc\r\n", "x 'a'b\r\n"]) {
    t.same(parseAll([bad]), ['Protocol error: unbalanced quotes in request'], JSON.stringify(bad));
  }
});

t.test('malformed multibulk input gets Redis 5 protocol errors, and they are sticky', async (t) => {
  const cases: [string, string][] = [
    ['*abc\r\n', 'Protocol error: invalid multibulk length'],
    ['*1048577\r\n', 'Protocol error: invalid multibulk length'],
    ['*+1\r\n', 'Protocol error: invalid multibulk length'],
    ['*01\r\n', 'Protocol error: invalid multibulk length'],
    ['*1\r\n$-1\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$x\r\n', 'Protocol error: invalid bulk length'],
    ['*2\r\n$3\r\nget\r\n:3\r\n', "Protocol error: expected '$', got ':'"],
  ];
  for (const [wire, error] of cases) t.same(parseAll([wire]), [error], JSON.stringify(wire));
  t.same(parseAll(['*1048576\r\n']), [], 'exactly 1024*1024 arguments is allowed (and waits)');
  t.same(parseAll(['*1\r\n$536870912\r\n']), [], 'exactly 512 MiB is allowed (and waits)');
  const p = new RespParser();
  p.feed(b('*x\r\n'));
  const first = p.next();
  p.feed(b('PING\r\n'));
  t.same(p.next(), first, 'after a fatal error the parser keeps returning it');
  t.same(first, { error: 'Protocol error: invalid multibulk length', fatal: true });
});

t.test('size limits on lines without a terminator', async (t) => {
  const big = 'x'.repeat(PROTO_INLINE_MAX_SIZE);
  t.same(parseAll([big]), [], 'exactly 64 KiB of inline waits for its newline');
  t.same(parseAll([big, 'x']), ['Protocol error: too big inline request'], 'one byte more is refused');
  t.same(parseAll([`${big}x\r\n`]), [['x'.repeat(PROTO_INLINE_MAX_SIZE + 1)]], 'a long line that did arrive whole is accepted');
  t.same(parseAll(['*' + '1'.repeat(PROTO_INLINE_MAX_SIZE + 1)]), ['Protocol error: too big mbulk count string']);
  t.same(parseAll(['*1\r\n$' + '1'.repeat(PROTO_INLINE_MAX_SIZE + 1)]), ['Protocol error: too big bulk count string']);
  t.same(parseAll(['echo a\0b\r\nPING\r\n']), [], 'a NUL before the newline stalls the line, as strchr does in Redis');
  t.same(parseAll(['echo a\0b\r\n', 'x'.repeat(PROTO_INLINE_MAX_SIZE)]), ['Protocol error: too big inline request'], 'until the limit');
});

t.test('buffering is linear: megabytes fed in small chunks parse quickly', async (t) => {
  const value = new Uint8Array(4 * 1024 * 1024).fill(0x61);
  const wire = encodeCommand(['SET', 'k', value]);
  const p = new RespParser();
  const start = performance.now();
  let got: ParseResult | null = null;
  for (let i = 0; i < wire.length; i += 64) {
    p.feed(wire.subarray(i, i + 64));
    got = p.next() ?? got;
  }
  const ms = performance.now() - start;
  t.ok(got !== null && 'argv' in got && got.argv[2]!.length === value.length, 'the 4 MiB value arrives intact');
  t.ok(ms < 2000, `65536 feeds took ${ms.toFixed(0)} ms (quadratic copying would take minutes)`);
});

/** A command written inline with every byte escaped the way sdssplitargs reads it back. */
function inlineEncode(argv: Uint8Array[]): string {
  return (
    argv
      .map((a) => {
        let s = '"';
        for (const c of a) {
          if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
          else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
          else s += `\\x${c.toString(16).padStart(2, '0')}`;
        }
        return `${s}"`;
      })
      .join(' ') + '\r\n'
  );
}

t.test('property: any commands, encoded either way and split anywhere, parse back', async (t) => {
  const arg = fc.uint8Array({ maxLength: 40 });
  const command = fc.record({ argv: fc.array(arg, { minLength: 1, maxLength: 6 }), inline: fc.boolean() });
  fc.assert(
    fc.property(fc.array(command, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), (cmds, cutSeeds) => {
      const parts = cmds.map((c) => (c.inline ? b(inlineEncode(c.argv)) : encodeCommand(c.argv)));
      const wire = Buffer.concat(parts);
      const cuts = [...new Set(cutSeeds.map((s) => s % (wire.length + 1)))].sort((x, y) => x - y);
      const chunks: Uint8Array[] = [];
      let last = 0;
      for (const c of [...cuts, wire.length]) {
        chunks.push(wire.subarray(last, c));
        last = c;
      }
      const got = parseAll(chunks, new RespParser(16));
      const want = cmds.map((c) => c.argv.map(str));
      t.same(got, want);
      return JSON.stringify(got) === JSON.stringify(want);
    }),
    { numRuns: 300 },
  );
});

t.test('ReplyWriter encodes every RESP2 type', async (t) => {
  const w = new ReplyWriter(8);
  w.simple('OK');
  w.error('ERR bad\r\nthing');
  w.integer(-42);
  w.integer(9223372036854775807n);
  w.bulk(b('a\r\nb'));
  w.bulk(null);
  w.nullBulk();
  w.bulkString('\xff\x00é');
  w.arrayHeader(2);
  w.arrayHeader(1);
  w.bulk(new Uint8Array(0));
  w.integer(7);
  w.nullArray();
  t.equal(
    str(w.bytes()),
    '+OK\r\n-ERR bad  thing\r\n:-42\r\n:9223372036854775807\r\n$4\r\na\r\nb\r\n$-1\r\n$-1\r\n$3\r\n\xff\x00\xe9\r\n' +
      '*2\r\n*1\r\n$0\r\n\r\n:7\r\n*-1\r\n',
  );
  const mark = w.length;
  w.bulk(new Uint8Array(100_000).fill(1));
  t.equal(w.length, mark + '$100000\r\n'.length + 100_000 + 2, 'grows past its initial capacity');
  w.truncate(mark);
  t.equal(w.length, mark, 'truncate drops a half-written reply');
  t.throws(() => w.truncate(mark + 1), RangeError);
  w.reset();
  t.equal(w.bytes().length, 0, 'reset empties it');
});

t.test('the reply buffer goes back to its initial size when reset after a large reply', async (t) => {
  const w = new ReplyWriter(1024);
  t.equal(w.capacity, 1024);
  w.bulk(new Uint8Array(40 * 1024));
  w.reset();
  t.equal(w.capacity, SHRINK_ABOVE, 'up to the threshold it keeps what it grew: no churn for ordinary pipelines');
  w.bulk(new Uint8Array(1024 * 1024));
  t.ok(w.capacity >= 1024 * 1024);
  w.reset();
  t.equal(w.capacity, 1024, 'a 1 MiB reply is not kept');
  t.equal(w.length, 0);
  w.simple('OK');
  t.equal(Buffer.from(w.bytes()).toString(), '+OK\r\n', 'and it still writes');
});

t.test('the query buffer goes back to its initial size once a big request is consumed', async (t) => {
  const p = new RespParser(1024);
  const big = encodeCommand(['SET', 'k', new Uint8Array(200 * 1024)]);
  p.feed(big.subarray(0, 100));
  t.equal(Buffer.from(p.head(8)).toString('latin1'), '*3\r\n$3\r\n', 'head quotes the first buffered bytes');
  p.feed(big.subarray(100));
  t.ok(p.capacity >= big.length);
  const cmd = p.next();
  t.ok(cmd !== null && 'argv' in cmd && cmd.argv[2]!.length === 200 * 1024);
  t.equal(p.capacity, 1024);
  t.equal(p.buffered, 0);
});
