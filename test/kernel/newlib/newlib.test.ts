// newlib's memory and string functions and errno, called by echoapp in a booted image with uksched
// isolated (mpk3), so errno's reent struct is reached through the __getreent gate as in FlexOS.
// Results are checked against C semantics (signs of comparisons, strtol's end pointer, ...).

import t from 'tap';
import fc from 'fast-check';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { regionOf } from '../../../shm/address.js';
import { bootEcho } from '../../fixtures/echoapp/harness.js';

t.test('newlib in a booted image (mpk3, dss)', async (t) => {
  const img = await bootEcho(t, 'mpk3', 'dss');
  const { call, host } = img;
  const a = await img.alloc('private', 8192);
  const b = await img.alloc('shared', 8192);
  const sign = (x: number): number => Math.sign(x);
  /** Plants a C string at `at` and returns `at`. */
  const str = (at: number, text: string): number => {
    host.writeCString(at, text);
    return at;
  };

  await t.test('memcpy copies n bytes between the app heap and the shared heap', async (t) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.nat(1000), fc.nat(1000), async (bytes, from, to) => {
        host.write(a + from, bytes);
        host.bytes(b + to, bytes.length + 8).fill(0xee);
        const r = await call('newlib', 'memcpy', b + to, a + from, bytes.length);
        const copied = host.read(b + to, bytes.length + 8);
        return r === b + to && Buffer.compare(copied.subarray(0, bytes.length), bytes) === 0 && copied.subarray(bytes.length).every((x) => x === 0xee);
      }),
      { numRuns: 25 },
    );
    t.pass('25 random copies, nothing past n touched');
  });

  await t.test('memmove handles overlap in both directions', async (t) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.nat(300), fc.nat(300), async (bytes, from, to) => {
        const n = Math.min(bytes.length, 300);
        host.write(a, new Uint8Array(1000));
        host.write(a, bytes);
        const model = Buffer.from(host.read(a, 1000));
        model.copyWithin(to, from, from + n);
        await call('newlib', 'memmove', a + to, a + from, n);
        return Buffer.compare(Buffer.from(host.read(a, 1000)), model) === 0;
      }),
      { numRuns: 25 },
    );
    t.pass('25 random overlapping moves match Buffer.copyWithin');
  });

  await t.test('memset', async (t) => {
    host.bytes(a, 32).fill(1);
    t.equal(await call('newlib', 'memset', a + 4, 0x1ab, 8), a + 4, 'returns dst');
    t.same([...host.read(a, 16)], [1, 1, 1, 1, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 1, 1, 1, 1], 'the value is converted to unsigned char; only n bytes change');
    await call('newlib', 'memset', a, 0, 0);
    t.equal(host.read(a, 1)[0], 1, 'n = 0 changes nothing');
  });

  await t.test('memcmp compares unsigned bytes and returns the sign', async (t) => {
    host.write(a, new Uint8Array([1, 2, 3, 0x80]));
    host.write(b, new Uint8Array([1, 2, 3, 0x01]));
    t.equal(sign(await call('newlib', 'memcmp', a, b, 4)), 1, '0x80 > 0x01 (unsigned char)');
    t.equal(sign(await call('newlib', 'memcmp', b, a, 4)), -1, 'and the other way');
    t.equal(await call('newlib', 'memcmp', a, b, 3), 0, 'equal prefixes');
    t.equal(await call('newlib', 'memcmp', a, b, 0), 0, 'n = 0');
  });

  await t.test('strlen', async (t) => {
    t.equal(await call('newlib', 'strlen', str(a, '')), 0, 'empty');
    t.equal(await call('newlib', 'strlen', str(a, 'hello, world')), 12, 'hello, world');
    t.equal(await call('newlib', 'strlen', str(b, 'x'.repeat(5000))), 5000, '5000 bytes');
  });

  await t.test('strcmp and strncmp', async (t) => {
    const cases: [string, string, number][] = [
      ['abc', 'abc', 0],
      ['abc', 'abd', -1],
      ['abd', 'abc', 1],
      ['ab', 'abc', -1],
      ['abc', 'ab', 1],
      ['', '', 0],
      ['\x80', '\x01', 1],
    ];
    for (const [x, y, want] of cases) {
      host.write(a, Buffer.from(x + '\0', 'latin1'));
      host.write(b, Buffer.from(y + '\0', 'latin1'));
      t.equal(sign(await call('newlib', 'strcmp', a, b)), want, `strcmp(${JSON.stringify(x)}, ${JSON.stringify(y)}) has sign ${want}`);
    }
    str(a, 'abcdef');
    str(b, 'abcxyz');
    t.equal(await call('newlib', 'strncmp', a, b, 3), 0, 'strncmp stops at n');
    t.equal(sign(await call('newlib', 'strncmp', a, b, 4)), -1, 'strncmp sees the difference within n');
    t.equal(await call('newlib', 'strncmp', a, b, 0), 0, 'strncmp with n = 0');
    str(b, 'abc');
    t.equal(sign(await call('newlib', 'strncmp', a, b, 5)), 1, 'strncmp: the shorter string is smaller');
  });

  await t.test('strcasecmp and tolower: each tolower reads the locale through one __getreent crossing', async (t) => {
    const crossed = (rows: { caller: string; callee: string; count: number }[]): number => rows.find((r) => r.caller === 'newlib' && r.callee === 'uksched')?.count ?? 0;
    const cases: [string, string, number, number][] = [
      // s1, s2, sign, tolower calls (two per character pair compared, the terminators' pair included)
      ['GET', 'quit', -1, 2],
      ['GET', 'get', 0, 8],
      ['get', 'GET', 0, 8],
      ['SET', 'get', 1, 2],
      ['getx', 'get', 1, 8],
      ['', '', 0, 2],
      ['[', '{', -1, 2], // 0x5b is past 'Z': not folded, so it stays below '{'
    ];
    for (const [x, y, want, calls] of cases) {
      str(a, x);
      str(b, y);
      const before = img.machine.counters.snapshot();
      t.equal(sign(await call('newlib', 'strcasecmp', a, b)), want, `strcasecmp(${JSON.stringify(x)}, ${JSON.stringify(y)}) has sign ${want}`);
      t.equal(crossed(img.machine.counters.rowsSince(before)), calls, `and crossed newlib -> uksched ${calls} times`);
    }
    const before = img.machine.counters.snapshot();
    t.same([await call('newlib', 'tolower', 0x41), await call('newlib', 'tolower', 0x7a), await call('newlib', 'tolower', 0x40)], [0x61, 0x7a, 0x40], "tolower folds A-Z only");
    t.equal(crossed(img.machine.counters.rowsSince(before)), 3, 'one crossing per tolower');
  });

  await t.test('strchr', async (t) => {
    str(a, 'hello');
    t.equal(await call('newlib', 'strchr', a, 'l'.charCodeAt(0)), a + 2, 'the first occurrence');
    t.equal(await call('newlib', 'strchr', a, 'z'.charCodeAt(0)), 0, 'not found: NULL');
    t.equal(await call('newlib', 'strchr', a, 0), a + 5, 'c = 0 finds the terminator');
    t.equal(await call('newlib', 'strchr', a, 0x100 + 'e'.charCodeAt(0)), a + 1, 'c is converted to char');
  });

  await t.test('strtol: value and end pointer as in C', async (t) => {
    const end = b + 4096;
    // "0x" is a prefix only for bases 0 and 16 and only before a hex digit; else the "0" alone counts.
    const cases: [string, number, number, number][] = [
      // text, base, value, characters consumed
      ['42', 10, 42, 2],
      ['  -42abc', 10, -42, 5],
      ['+7', 10, 7, 2],
      ['ff', 16, 255, 2],
      ['0XfF', 16, 255, 4],
      ['0x1A', 0, 26, 4],
      ['-0x10', 0, -16, 5],
      ['010', 0, 8, 3],
      ['08', 0, 0, 1],
      ['1012', 2, 5, 3],
      ['zz', 36, 1295, 2],
      ['0x1A', 10, 0, 1],
      ['0x', 16, 0, 1],
      ['0xg', 0, 0, 1],
      ['z', 10, 0, 0],
      ['', 10, 0, 0],
      ['   ', 10, 0, 0],
      ['-', 10, 0, 0],
    ];
    for (const [text, base, value, consumed] of cases) {
      str(a, text);
      host.write64(end, -1);
      const got = await call('newlib', 'strtol', a, end, base);
      t.same([got, host.read64(end) - a], [value, consumed], `strtol(${JSON.stringify(text)}, &end, ${base}) = ${value}, end = s + ${consumed}`);
    }
    str(a, '123');
    t.equal(await call('newlib', 'strtol', a, 0, 10), 123, 'endptr may be NULL');
  });

  await t.test('malloc, calloc, realloc and free through newlib land in the app compartment heap', async (t) => {
    const p = await call('newlib', 'malloc', 100);
    t.equal(host.regionName(p), 'heap.comp1', 'malloc: the app compartment private heap');
    host.write(p, 'keep me');
    const q = await call('newlib', 'realloc', p, 5000);
    t.equal(Buffer.from(host.read(q, 7)).toString(), 'keep me', 'realloc keeps the contents');
    host.bytes(q, 5000).fill(0xaa);
    await call('newlib', 'free', q);
    const z = await call('newlib', 'calloc', 50, 100);
    t.ok(host.read(z, 5000).every((x) => x === 0), 'calloc zeroes (even reused memory)');
    await call('newlib', 'free', z);
    t.equal(await call('newlib', 'free', 0), 0, 'free(NULL) does nothing');
  });

  await t.test('errno lives in the reent struct uksched owns, reached through __getreent', async (t) => {
    const before = img.machine.counters.snapshot();
    const address = await call('newlib', '__errno');
    t.equal(address, await call('uksched', '__getreent'), '__errno() is the reent struct of __getreent()');
    t.equal(regionOf(address), regionOf(host.base('shared-heap')), 'which is shared (whitelisted) memory');
    t.equal(await call('newlib', 'errno_set', 42), 0, 'errno = 42');
    t.equal(await call('newlib', 'errno_get'), 42, 'errno reads 42');
    t.equal(host.read32(address), 42, 'at offset 0 of the reent struct');
    t.equal(await img.callErrno('lwip', 'close', 12345), -1, 'a failing call through the libc wrapper returns -1');
    t.equal(await call('newlib', 'errno_get'), ERRNO.EBADF, 'and sets errno');
    const rows = img.machine.counters.rowsSince(before);
    t.ok((rows.find((r) => r.caller === 'newlib' && r.callee === 'uksched')?.count ?? 0) >= 4, 'every errno access crossed newlib -> uksched');
  });

  await t.test('a bad pointer is a protection fault, not a wrong answer, and the image goes on', async (t) => {
    const lwipHeap = host.base('heap.comp3') + 4096;
    await t.rejects(call('newlib', 'memcpy', a, lwipHeap, 16), /protection fault.*heap\.comp3.*newlib/, "memcpy from lwip's private heap faults, naming the region and newlib");
    await t.rejects(call('newlib', 'strlen', host.base('heap.comp2') + 64), /protection fault/, "strlen of a string in uksched's private heap faults");
    t.equal(img.machine.failure, null, 'no compartment died');
    t.equal(await call('newlib', 'strlen', str(a, 'still here')), 10, 'newlib still works');
  });
});
