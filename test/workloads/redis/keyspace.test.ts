// The keyspace's accounting when the value store is full: a put that throws stores and counts
// nothing, so used_memory (and maxmemory's check) stays true.

import t from 'tap';
import { Keyspace, MapValueStore } from '../../../workloads/redis/keyspace.js';
import { ValueStoreFullError } from '../../../workloads/redis/memory-limit.js';

t.test('a put the store refuses is not counted in the stored bytes', async (t) => {
  const store = new MapValueStore();
  let full = false;
  const put = store.put.bind(store);
  store.put = (bytes: Uint8Array): number => {
    if (full) throw new ValueStoreFullError(bytes.length);
    return put(bytes);
  };
  const ks = new Keyspace(store, { nowMs: () => 0 });
  ks.putBytes(new Uint8Array(10));
  full = true;
  t.throws(() => ks.putBytes(new Uint8Array(20)), ValueStoreFullError);
  t.equal(ks.storedBytes, 10);
  t.equal(store.count, 1, 'nothing allocated for it');
});
