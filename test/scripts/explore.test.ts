import t from 'tap';
import { appNamed, libraryRegistry } from '../../workloads/registry.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSpace } from '../../compartments/config/space.js';

const script = new URL('../../../scripts/explore.js', import.meta.url).pathname;

t.test('explore.js --metric file: the answer as JSON, a results file and the picture', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'explore-cli-'));
  const table = Object.fromEntries(expandSpace(appNamed('redis').space(), { registry: libraryRegistry }).map((p) => [p.label, 100 - 10 * p.hardened.length - (p.layout === 'R1N1S1L1' ? 0 : 3)]));
  writeFileSync(join(dir, 't.json'), JSON.stringify(table));
  const args = [script, 'redis', '--metric', 'file', '--from', join(dir, 't.json'), '--budget', '85', '--margin', '0', '--results', join(dir, 'r.jsonl'), '--html', join(dir, 'p.html'), '--json'];
  const out = JSON.parse(execFileSync('node', args, { encoding: 'utf8' })) as Record<string, unknown>;
  t.same(Object.keys(out), ['space', 'budget', 'measured_count', 'total', 'safest', 'uncertain']);
  t.equal(out['total'], 80);
  t.ok((out['safest'] as string[]).includes('R1N1S2L3H'));
  t.equal(readFileSync(join(dir, 'r.jsonl'), 'utf8').trim().split('\n').length, out['measured_count']);
  t.match(readFileSync(join(dir, 'p.html'), 'utf8'), /data-label="R1N1S2L3H" data-verdict="feasible" data-state="chosen"/);
  t.match(readFileSync(join(dir, 'p.svg'), 'utf8'), /^<svg/);
});

t.test('explore.js --results: a rerun on another --from table replays none of the first table, and says so', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'explore-cli-'));
  const labels = expandSpace(appNamed('redis').space(), { registry: libraryRegistry }).map((p) => p.label);
  writeFileSync(join(dir, 'one.json'), JSON.stringify(Object.fromEntries(labels.map((l) => [l, 100]))));
  writeFileSync(join(dir, 'two.json'), JSON.stringify(Object.fromEntries(labels.map((l) => [l, 10]))));
  const run = (table: string): { out: Record<string, unknown>; err: string } => {
    const r = spawnSync('node', [script, 'redis', '--metric', 'file', '--from', join(dir, table), '--budget', '50', '--margin', '0', '--results', join(dir, 'r.jsonl'), '--json'], { encoding: 'utf8' });
    t.equal(r.status, 0, `exit status (stderr: ${r.stderr.slice(0, 200)})`);
    return { out: JSON.parse(r.stdout) as Record<string, unknown>, err: r.stderr };
  };
  const first = run('one.json');
  t.ok((first.out['safest'] as string[]).length > 0, 'every configuration meets the budget in the first table');
  const second = run('two.json');
  t.same(second.out['safest'], [], 'the second table is read, not the first one replayed');
  t.match(second.err, new RegExp(`not replaying ${first.out['measured_count'] as number} recorded sample\\(s\\) of redis/file, taken under other settings \\(${first.out['measured_count'] as number} under from=\\S+one\\.json sha256=`));
  const again = run('two.json');
  t.same(again.out, second.out, 'the same table again: the same answer');
  t.match(again.err, new RegExp(`not replaying ${first.out['measured_count'] as number} recorded sample\\(s\\)[^\\n]*\\(${first.out['measured_count'] as number} under from=\\S+one\\.json sha256=[0-9a-f]+\\); this run`), 'only the first table\'s samples are skipped; the second\'s are replayed');
});

t.test('explore.js --from without --metric file is refused, naming the valid combination', async (t) => {
  const r = spawnSync('node', [script, 'redis', '--metric', 'modelled', '--from', 'table.json', '--budget', '1'], { encoding: 'utf8' });
  t.equal(r.status, 2);
  t.match(r.stderr, /--from is read only with --metric file \(--metric file --from <table\.json>\)/);
  t.equal(r.stdout, '');
});
