// The differential test: the same seeded random command sequences sent to the image (preset redis-none)
// and to Debian's redis-server over raw RESP sockets, the replies compared as each command asks
// (differential/family.ts). Every family file in differential/ runs; a mismatch prints the seed and the
// command so the sequence can be replayed.

import t from 'tap';
import { readdirSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DiffCommand, Family } from './differential/family.js';
import { RespSocket, parseReply, type Reply } from './resp-socket.js';
import { bootImage, hasRedisServer, startRealRedis } from './servers.js';
import { seededRandom } from '../../../workloads/loadgen/redis-mix.js';

const SEEDS = [1, 2, 3];
const COMMANDS = 300;

function encodeReply(r: Reply): string {
  if (r.type === '*') return r.items === null ? '*-1' : `*${r.items.length}[${r.items.map(encodeReply).join(',')}]`;
  if (r.type === '$') return r.text === null ? '$-1' : `$${JSON.stringify(r.text)}`;
  return `${r.type}${r.text}`;
}

/** Whether two replies agree as the command asks (DiffCommand.compare). */
export function agree(cmd: DiffCommand, a: { raw: string; reply: Reply }, b: { raw: string; reply: Reply }): boolean {
  const how = cmd.compare ?? 'exact';
  if (how === 'exact') return a.raw === b.raw;
  if (a.reply.type !== b.reply.type) return false;
  if (how === 'shape') {
    if (a.reply.type === '*' && b.reply.type === '*') return (a.reply.items?.length ?? -1) === (b.reply.items?.length ?? -1);
    if (a.reply.type === '$' && b.reply.type === '$') return (a.reply.text === null) === (b.reply.text === null);
    return a.reply.type !== '-' || a.raw === b.raw;
  }
  if (a.reply.type !== '*' || b.reply.type !== '*') return a.raw === b.raw;
  const sorted = (r: Reply): string[] => (r.type === '*' && r.items !== null ? r.items.map(encodeReply).sort() : ['null']);
  return JSON.stringify(sorted(a.reply)) === JSON.stringify(sorted(b.reply));
}

t.test('replies are compared as each command asks', async (t) => {
  const r = (raw: string) => ({ raw, reply: parseReply(raw, 0)!.reply });
  const cmd = (compare?: 'exact' | 'unordered' | 'shape'): DiffCommand => ({ argv: ['X'], ...(compare ? { compare } : {}) });
  const ab = r('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
  const ba = r('*2\r\n$1\r\nb\r\n$1\r\na\r\n');
  const ac = r('*2\r\n$1\r\na\r\n$1\r\nc\r\n');
  t.notOk(agree(cmd(), ab, ba), 'exact: order matters');
  t.ok(agree(cmd('unordered'), ab, ba), 'unordered: a multiset');
  t.notOk(agree(cmd('unordered'), ab, ac));
  t.notOk(agree(cmd('unordered'), ab, r('*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nb\r\n')));
  t.ok(agree(cmd('shape'), ab, ac), 'shape: same type and length');
  t.notOk(agree(cmd('shape'), ab, r('*1\r\n$1\r\na\r\n')));
  t.notOk(agree(cmd('shape'), r('$1\r\na\r\n'), r('$-1\r\n')), 'shape: null and not null differ');
  t.notOk(agree(cmd('shape'), r(':1\r\n'), r('-ERR x\r\n')), 'shape: an error is not an integer');
  t.ok(agree(cmd('shape'), r(':1\r\n'), r(':2\r\n')));
  t.equal(seededRandom(5)(), seededRandom(5)(), 'a seed replays');
  t.not(seededRandom(5)(), seededRandom(6)());
});

/** redis-cli reading commands from stdin, one connection for the whole script. */
function redisCli(port: number, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', ['-p', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.on('error', reject);
    child.on('close', () => resolve(out));
    child.stdin.end(script);
  });
}

/** A redis-cli user's session per family whose output Redis 5 and 7 print alike. */
const CLI_SESSION = [
  'FLUSHALL', 'SET counter 10', 'WATCH counter', 'MULTI', 'INCR counter', 'LPUSH jobs a b', 'LRANGE jobs 0 -1', 'EXEC',
  'WATCH counter', 'SET counter 0', 'MULTI', 'INCR counter', 'EXEC', 'MULTI', 'SET x 1', 'GET', 'EXEC', 'GET x',
  'MULTI', 'SET x 2', 'DISCARD', 'GET x', 'DISCARD', 'EXEC', 'UNWATCH',
  'PUBLISH news hello', 'PUBSUB NUMSUB news', 'PUBSUB NUMPAT', 'PUBSUB CHANNELS',
  'ECHO "hello world"', 'PING', 'PING pong', 'DBSIZE', 'CONFIG GET maxmemory', 'CONFIG SET maxmemory 1mb', 'CONFIG GET maxmemory',
  'CONFIG SET maxmemory 0', 'CONFIG GET hash-max-ziplist-entries', 'CLIENT SETNAME cli', 'CLIENT GETNAME', 'WAIT 0 0',
].join('\n') + '\n';

const hasCli = spawnSync('redis-cli', ['--version']).status === 0;

t.test('a redis-cli session prints the same on the image and on redis-server', { skip: hasRedisServer && hasCli ? false : 'redis-server or redis-cli is not installed' }, async (t) => {
  const [image, real] = await Promise.all([bootImage('redis-none'), startRealRedis()]);
  t.teardown(() => {
    real.stop();
    return image.stop();
  });
  const [ours, theirs] = await Promise.all([redisCli(image.port, CLI_SESSION), redisCli(real.port, CLI_SESSION)]);
  t.match(ours, /EXECABORT/, 'the session reaches an aborted transaction');
  t.equal(ours, theirs);
});

async function loadFamilies(): Promise<Family[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'differential');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'family.js').sort();
  const families: Family[] = [];
  for (const f of files) families.push(((await import(pathToFileURL(join(dir, f)).href)) as { family: Family }).family);
  return families;
}

t.test('the image answers as redis-server for every family', { skip: hasRedisServer ? false : 'redis-server is not installed (Debian package redis-server)' }, async (t) => {
  const [image, real] = await Promise.all([bootImage('redis-none'), startRealRedis()]);
  t.teardown(() => {
    real.stop();
    return image.stop();
  });
  const families = await loadFamilies();
  t.ok(families.length >= 2, `families found: ${families.map((f) => f.name).join(', ')}`);
  for (const family of families) {
    t.test(family.name, async (t) => {
      for (const seed of SEEDS) {
        const ours = await RespSocket.connect(image.port);
        const theirs = await RespSocket.connect(real.port);
        try {
          await ours.call('FLUSHALL');
          await theirs.call('FLUSHALL');
          const sequence = family.sequence(seededRandom(seed), COMMANDS);
          let mismatch: string | null = null;
          for (let i = 0; i < sequence.length && mismatch === null; i++) {
            const cmd = sequence[i]!;
            ours.send(...cmd.argv);
            theirs.send(...cmd.argv);
            const [a, b] = await Promise.all([ours.next(), theirs.next()]);
            if (!agree(cmd, a, b)) {
              mismatch = `seed ${seed}, command ${i}: ${JSON.stringify(cmd.argv)} (${cmd.compare ?? 'exact'})\n` +
                `  image:        ${JSON.stringify(a.raw)}\n  redis-server: ${JSON.stringify(b.raw)}\n` +
                `  before it: ${sequence.slice(Math.max(0, i - 8), i).map((c) => c.argv.join(' ')).join(' | ')}`;
            }
          }
          t.equal(mismatch, null, `seed ${seed}: ${sequence.length} commands agree`);
        } finally {
          ours.close();
          theirs.close();
        }
      }
    });
  }
});
