// lwip's length and offset arithmetic under ubsan: queued bytes (the windows), the copy-out offsets
// and the send loop go through UBSan's checked ints, so a length past an int is a hardening report;
// without ubsan the same input computes as it always did.

import t from 'tap';
import { PbufPool, TCP_MSS } from '../../../kernel/lwip/pbuf.js';
import { createSend } from '../../../kernel/lwip/send.js';
import { Socket, SocketTable } from '../../../kernel/lwip/sockets.js';
import { checkedInts } from '../../../compartments/runtime/hardening/ubsan.js';
import { CallLog, FakeNetdev, fakeMemcpy, memoryRig } from './fakes.js';

const UBSAN = { code: 'FLEXOS_ERR_HARDENING', info: { check: 'ubsan', library: 'lwip' } };

function pool(ubsan: boolean) {
  const rig = memoryRig();
  const memcpy = new CallLog().wrap('newlib', 'memcpy', fakeMemcpy(rig.memory));
  const pbufs = new PbufPool(ubsan ? { heap: rig.sharedHeap, memcpy, lengths: checkedInts('lwip', true) } : { heap: rig.sharedHeap, memcpy });
  return { rig, pbufs };
}

t.test('a socket\'s queued bytes past an int: a ubsan report when hardened, the sum otherwise', async (t) => {
  for (const ubsan of [true, false]) {
    const { pbufs } = pool(ubsan);
    const s = new Socket(false);
    s.rxBytes = 2 ** 31 - 10; // as if a corrupted window count
    const enqueue = (): void => pbufs.enqueue(s, pbufs.alloc(TCP_MSS), 100);
    if (ubsan) t.throws(enqueue, UBSAN, 'hardened');
    else {
      enqueue();
      t.equal(s.rxBytes, 2 ** 31 + 90, 'unhardened: exact, as before');
    }
  }
});

t.test('a copy-out length past an int is a ubsan report when hardened; unhardened it copies what is queued', async (t) => {
  for (const ubsan of [true, false]) {
    const { rig, pbufs } = pool(ubsan);
    const s = new Socket(false);
    const pbuf = pbufs.alloc(TCP_MSS);
    rig.memory.writeString(pbuf, 'hello');
    pbufs.enqueue(s, pbuf, 5);
    const buf = rig.appHeap.malloc(64);
    if (ubsan) t.throws(() => pbufs.copyOut(s, buf, 2 ** 40, false), UBSAN, 'hardened');
    else t.equal(pbufs.copyOut(s, buf, 2 ** 40, false), 5, 'unhardened');
  }
  const { rig, pbufs } = pool(true);
  const s = new Socket(false);
  const pbuf = pbufs.alloc(TCP_MSS);
  rig.memory.writeString(pbuf, 'hello world');
  pbufs.enqueue(s, pbuf, 11);
  const buf = rig.appHeap.malloc(64);
  t.equal(pbufs.copyOut(s, buf, 5, false), 5, 'correct lengths pass the checks');
  t.equal(pbufs.copyOut(s, buf + 5, 64, false), 6);
  t.equal(rig.memory.readString(buf, 11), 'hello world');
  t.equal(s.rxBytes, 0);
  t.equal(pbufs.queued, 0);
});

t.test('a send goes through the checked arithmetic and sends the same bytes', async (t) => {
  const rig = memoryRig();
  const log = new CallLog();
  const netdev = new FakeNetdev(rig.memory);
  netdev.open(9, Number.POSITIVE_INFINITY);
  const table = new SocketTable();
  const pbufs = new PbufPool({ heap: rig.sharedHeap, memcpy: log.wrap('newlib', 'memcpy', fakeMemcpy(rig.memory)) });
  const netif = { block: () => t.fail('no room needed') };
  const { send } = createSend({ memory: rig.memory, table, pbufs, netif, netdevTx: netdev.imports(log).netdevTx, lengths: checkedInts('lwip', true) });
  const fd = table.install(table.adopt(9))!;
  const buf = rig.appHeap.malloc(8192);
  t.equal(send(fd, buf, 5000, 0), 5000, 'four MSS pbufs, every length an int');
});
