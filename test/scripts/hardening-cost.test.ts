// `node scripts/hardening-cost.js` as a user runs it: bad flags are a clear error with exit 2, and
// without compilers every option is reported NOT MEASURED with its reason (table and --json), exit 1.
// The measuring itself is tested in test/compartments/model/hardening-cost.test.ts.

import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript } from '../fixtures/node-script.js';

const cache = mkdtempSync(join(tmpdir(), 'flexos-hardening-cli-'));
t.teardown(() => rmSync(cache, { recursive: true, force: true }));
process.env['FLEXOS_SIM_CACHE'] = cache; // the script's cache, inherited by the node it starts
const missing = ['--gcc', join(cache, 'no-such-gcc'), '--clang', join(cache, 'no-such-clang')];

t.test('a bad flag or value is an error naming it, with exit 2', async (t) => {
  const bogus = await runScript('hardening-cost.js', ['--bogus']);
  t.equal(bogus.code, 2);
  t.match(bogus.stderr, /^error: Unknown option '--bogus'\nvalid options: --recalibrate, .*--variants/);
  const variants = await runScript('hardening-cost.js', ['--variants', 'kasan,nope']);
  t.equal(variants.code, 2);
  t.match(variants.stderr, /--variants: "nope" is not valid; expected a comma-separated list of kasan, ubsan, stackprotector, cfi, safestack, H/);
  const reps = await runScript('hardening-cost.js', ['--repetitions', '0']);
  t.equal(reps.code, 2);
  t.match(reps.stderr, /--repetitions: "0" is not valid/);
  const help = await runScript('hardening-cost.js', ['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /^usage: node scripts\/hardening-cost\.js/);
});

t.test('without compilers every option is NOT MEASURED with its reason, and the exit code says so', async (t) => {
  const table = await runScript('hardening-cost.js', missing);
  t.equal(table.code, 1, 'nothing measured');
  t.match(table.stdout, /gcc NOT FOUND; clang NOT FOUND/);
  t.match(table.stdout, /kasan +NOT MEASURED \(compiler\): gcc \(".*no-such-gcc"\) not found/);
  t.match(table.stdout, /cfi +NOT MEASURED \(compiler\): clang \(".*no-such-clang"\) not found/);
  t.notMatch(table.stdout, /slowdown per kernel/, 'no table of numbers');
  const json = await runScript('hardening-cost.js', [...missing, '--json', '--variants', 'safestack,H']);
  t.equal(json.code, 1);
  const parsed = JSON.parse(json.stdout) as { cached: boolean; variants: { variant: string; measured: boolean; reason: string }[] };
  t.same(parsed.variants.map((v) => [v.variant, v.measured]), [['safestack', false], ['H', false]]);
  t.match(parsed.variants[0]!.reason, /no-such-clang/);
});
