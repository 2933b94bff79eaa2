// Every command's --help names every option it accepts, an unknown option is refused with the list
// of valid ones and exit 2, and the README's commands table names each command with exactly its
// options: the list comes from the parser, so help text or a table behind a new flag fails here.

import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { runScript, scriptPath } from '../fixtures/node-script.js';

// The commands: every scripts/<name>.js that starts a compiled command through the launcher.
const README = readFileSync(scriptPath('../README.md'), 'utf8');

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
    const options = (valid?.[1] ?? '').split(', ');
    for (const option of options) t.match(help.stdout, new RegExp(`${option}(?![\\w-])`), `--help names ${option}`);
    const row = README.split('\n').find((line) => line.startsWith(`| \`node scripts/${command}`));
    t.ok(row, 'a row of the README\'s commands table');
    const listed = (row ?? '').split(' | ').at(-1) ?? '';
    const named = [...listed.matchAll(/`(--[\w-]+)`/g)].map((m) => m[1]).sort();
    t.same(named, options.filter((o) => o !== '--help').sort(), 'the row\'s flags are the options');
  });
}
