// The mixed Redis workload's command stream: whole batches of `pipeline` commands whose ends are where
// each command stops, transactions never cut by a batch boundary, the mix's shares as declared, and
// the same stream for the same seed.

import t from 'tap';
import { MIX, mixedBatches } from '../../../workloads/loadgen/redis-mix.js';
import { parseReply } from '../redis/resp-socket.js';

/** The commands of a batch, decoded (a RESP request is an array of bulks, like a reply). */
function commands(bytes: Uint8Array): string[][] {
  const text = Buffer.from(bytes).toString('latin1');
  const out: string[][] = [];
  for (let at = 0; at < text.length;) {
    const r = parseReply(text, at)!;
    if (r.reply.type !== '*' || r.reply.items === null) throw new Error('not a request');
    out.push(r.reply.items.map((i) => (i.type === '$' ? i.text ?? '' : '')));
    at = r.end;
  }
  return out;
}

t.test('batches hold exactly `pipeline` commands, and ends mark each one', async (t) => {
  const batches = mixedBatches({ pipeline: 16, size: 3, seed: 7, count: 32 });
  t.equal(batches.length, 32);
  for (const b of batches) {
    t.equal(commands(b.bytes).length, 16);
    t.equal(b.ends.length, 16);
    t.equal(b.ends[15], b.bytes.length);
    t.equal(commands(b.bytes.subarray(0, b.ends[4])).length, 5, 'a partial batch is whole commands');
  }
});

t.test('a transaction never crosses a batch boundary', async (t) => {
  let transactions = 0;
  for (const b of mixedBatches({ pipeline: 10, size: 2, seed: 3, count: 200 })) {
    let open = false;
    for (const argv of commands(b.bytes)) {
      if (argv[0] === 'MULTI') {
        t.notOk(open);
        open = true;
        transactions++;
      } else if (argv[0] === 'EXEC') {
        t.ok(open);
        open = false;
      }
    }
    t.notOk(open, 'closed within its batch');
  }
  t.ok(transactions > 20, `${transactions} transactions`);
  const small = mixedBatches({ pipeline: 3, size: 2, seed: 3, count: 50 }).flatMap((b) => commands(b.bytes));
  t.notOk(small.some((a) => a[0] === 'MULTI'), 'a pipeline under 4 has no room for one');
});

t.test('the mix follows its declared shares, and a seed gives one stream', async (t) => {
  const all = mixedBatches({ pipeline: 16, size: 5, seed: 11, count: 400 }).flatMap((b) => commands(b.bytes));
  const share = (name: string): number => all.filter((a) => a[0] === name).length / all.length;
  // Units: a transaction is 4 commands, so per command the shares shift a little; within a few points.
  t.ok(share('GET') > 0.25 && share('GET') < 0.4, `GET ${share('GET')}`);
  t.ok(share('ZADD') > 0.05 && share('ZADD') < 0.1, `ZADD ${share('ZADD')}`);
  t.ok(share('MULTI') > 0.03, `MULTI ${share('MULTI')}`);
  t.ok(all.filter((a) => a[0] === 'SET').every((a) => a[2] === 'xxxxx'), 'values have --sizes bytes');
  t.equal(MIX.reduce((s, [, p]) => s + p, 0).toFixed(6), '1.000000', 'the shares add up to 1');
  const again = mixedBatches({ pipeline: 16, size: 5, seed: 11, count: 400 }).flatMap((b) => commands(b.bytes));
  t.same(again, all);
});
