import t from 'tap';
import { appNamed, libraryRegistry } from '../../workloads/registry.js';
import { execFileSync } from 'node:child_process';
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
