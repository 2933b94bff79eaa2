// The parameter table: Redis 5's defaults, CONFIG SET's validation (memtoll units, ranges, yes/no, the
// eviction policies, read-only names), the values set at boot, and the getters the memory limit and
// idle timeout read.

import t from 'tap';
import { Keyspace, MapValueStore } from '../../../workloads/redis/keyspace.js';
import { configOf, configValue, idleTimeoutSeconds, maxmemoryBytes, maxmemoryPolicy, setBootValue, setConfig } from '../../../workloads/redis/config-params.js';

const fresh = (): Keyspace => new Keyspace(new MapValueStore(), { nowMs: () => 0 }, { port: 7000, databases: 4 });

t.test('defaults are a fresh Redis 5 without a config file', async (t) => {
  const ks = fresh();
  t.equal(configValue(ks, 'maxmemory'), '0');
  t.equal(configValue(ks, 'maxmemory-policy'), 'noeviction');
  t.equal(configValue(ks, 'databases'), '4', 'from the keyspace');
  t.equal(configValue(ks, 'port'), '7000');
  t.equal(configValue(ks, 'save'), '900 1 300 10 60 10000');
  t.equal(maxmemoryBytes(ks), 0);
  t.equal(idleTimeoutSeconds(ks), 0);
  t.ok([...configOf(ks).keys()].indexOf('maxmemory') < [...configOf(ks).keys()].indexOf('timeout'), "in CONFIG GET's order");
  t.throws(() => configValue(ks, 'nosuch'), RangeError);
});

t.test('setConfig validates and the getters follow', async (t) => {
  const ks = fresh();
  t.equal(setConfig(ks, 'MAXMEMORY', '100kb'), 'ok');
  t.equal(maxmemoryBytes(ks), 102400);
  t.equal(setConfig(ks, 'maxmemory', '1g'), 'ok');
  t.equal(maxmemoryBytes(ks), 1e9);
  t.equal(setConfig(ks, 'maxmemory', '-5'), 'invalid');
  t.equal(maxmemoryBytes(ks), 1e9, 'a refused value changes nothing');
  t.equal(setConfig(ks, 'maxmemory-policy', 'volatile-ttl'), 'ok');
  t.equal(maxmemoryPolicy(ks), 'volatile-ttl');
  t.equal(setConfig(ks, 'timeout', '2147483648'), 'invalid', 'beyond INT_MAX');
  t.equal(setConfig(ks, 'timeout', '30'), 'ok');
  t.equal(idleTimeoutSeconds(ks), 30);
  t.equal(setConfig(ks, 'appendonly', 'maybe'), 'invalid');
  t.equal(setConfig(ks, 'databases', '8'), 'unsupported');
  t.equal(setConfig(ks, 'nosuch', '1'), 'unsupported');
  t.equal(setConfig(ks, 'save', '  60   100 '), 'ok');
  t.equal(configValue(ks, 'save'), '60 100');
  const mem = (v: string): string => (setConfig(ks, 'maxmemory', v) === 'ok' ? configValue(ks, 'maxmemory') : 'invalid');
  t.same(['1k', '1KB', '2m', 'x', '1.5gb'].map(mem), ['1000', '1024', '2000000', 'invalid', 'invalid'], 'memtoll units');
});

t.test('setBootValue shows a read-only parameter as booted, which CONFIG SET still refuses', async (t) => {
  const ks = fresh();
  t.equal(configValue(ks, 'client-query-buffer-limit'), '1073741824', "Redis's default before");
  setBootValue(ks, 'client-query-buffer-limit', '2097152');
  t.equal(configValue(ks, 'client-query-buffer-limit'), '2097152');
  t.equal(setConfig(ks, 'client-query-buffer-limit', '1'), 'unsupported');
  t.throws(() => setBootValue(ks, 'nosuch', '1'), RangeError);
});
