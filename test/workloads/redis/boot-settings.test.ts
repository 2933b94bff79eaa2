// The Redis image's boot settings: main's numeric arguments after the port, their defaults, and
// run.js's --maxmemory turned into them (a bad size names the valid forms).

import t from 'tap';
import { DEFAULT_BOOT_SETTINGS, redisMainArgs, redisMainArgsFromFlags, settingsFromMainArgs } from '../../../workloads/redis/boot-settings.js';
import { redisApp } from '../../../workloads/redis/app.js';

t.test('main without settings is a stock Redis: no maxmemory, the default client limits', async (t) => {
  t.same(settingsFromMainArgs([]), DEFAULT_BOOT_SETTINGS);
  t.equal(DEFAULT_BOOT_SETTINGS.maxmemory, 0);
});

t.test('settings survive the trip through main arguments', async (t) => {
  const args = redisMainArgs({ maxmemory: 5, outputSoft: 0 });
  t.same(settingsFromMainArgs(args), { ...DEFAULT_BOOT_SETTINGS, maxmemory: 5, outputSoft: 0 });
  t.throws(() => redisMainArgs({ maxmemory: -1 }), RangeError);
});

t.test('--maxmemory takes memtoll sizes and refuses others, naming the forms', async (t) => {
  t.equal(settingsFromMainArgs(redisMainArgsFromFlags({ maxmemory: '100mb' })).maxmemory, 100 * 1024 * 1024);
  t.throws(() => redisMainArgsFromFlags({ maxmemory: 'lots' }), { name: 'RangeError', message: /^--maxmemory: "lots" is not a memory size; valid: .*mb/ });
  t.throws(() => redisMainArgsFromFlags({ other: '1' }), /--other does not apply to Redis/);
});

t.test('the Redis app declares the flag to run.js', async (t) => {
  t.ok(redisApp.server?.bootFlags?.['maxmemory']);
  t.same(redisApp.server?.mainArgsFrom?.({ maxmemory: '1kb' }), redisMainArgs({ maxmemory: 1024 }));
});
