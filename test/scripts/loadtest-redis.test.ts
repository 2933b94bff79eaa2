// loadtest-redis.js's bad input: --vs-real's --preset must be a Redis preset and is checked before
// the real server's run; options that would be ignored (--host/--port with --vs-real, --preset
// without it) are refused, each with exit 2 and a message naming the option.

import t from 'tap';
import { runScript } from '../fixtures/node-script.js';

t.test('flags that do not go together, or a preset that is not Redis, exit 2 before any run', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--vs-real', '--preset', 'redsi'], /--preset: "redsi" is not a Redis preset/],
    [['--vs-real', '--preset', 'nginx-none'], /--preset: "nginx-none" is not a Redis preset/],
    [['--vs-real', '--port', '6379'], /--vs-real starts both servers on free loopback ports: drop --host and --port/],
    [['--port', '6379', '--preset', 'redis-none'], /--preset names the image --vs-real starts/],
    [[], /--port is required/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await runScript('loadtest-redis.js', args);
    t.equal(code, 2, `${args.join(' ')}: exit 2`);
    t.match(stderr, message, `${args.join(' ')}: says why`);
    t.notMatch(stderr, /\[redis-server/, `${args.join(' ')}: nothing ran`);
  }
});
