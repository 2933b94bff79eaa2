// Every command's --help names every option it accepts, and an unknown option is refused with the
// list of valid ones and exit 2: the list comes from the parser, so help text that falls behind a
// new flag fails here.

import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { runScript, scriptPath } from '../fixtures/node-script.js';

// The commands: every scripts/<name>.js that starts a compiled command through the launcher.
const COMMANDS = readdirSync(scriptPath('.'))
  .filter((f) => f.endsWith('.js') && f !== 'launcher.js')
  .filter((f) => readFileSync(scriptPath(f), 'utf8').includes('await start('));

t.ok(COMMANDS.length >= 15, `${COMMANDS.length} commands`);

for (const command of COMMANDS) {
  t.test(`${command}: --help names every option, a bad one exits 2`, async (t) => {
    const bad = await runScript(command, ['--no-such-flag']);
    t.equal(bad.code, 2, 'exit 2');
    const valid = /valid options: (.*)/.exec(bad.stderr);
    t.ok(valid, 'lists the valid options');
    const help = await runScript(command, ['--help']);
    t.equal(help.code, 0, '--help exits 0');
    t.match(help.stdout, /^usage: node scripts\//);
    for (const option of (valid?.[1] ?? '').split(', ')) t.match(help.stdout, new RegExp(`${option}(?![\\w-])`), `--help names ${option}`);
  });
}
