// The shared progress of the long commands: off a terminal exactly the plain lines (what tests and
// CI read), nothing else; on a terminal a bar with ETA and the same lines printed above it.

import t from 'tap';
import { Writable } from 'node:stream';
import { createProgress } from '../../scripts/progress.js';

/** A stream that keeps what is written; `tty` makes it claim to be a terminal. */
function capture(tty: boolean): { stream: Writable & { isTTY?: boolean; columns?: number }; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (chunks.push(String(chunk)), done()) }) as Writable & { isTTY?: boolean; columns?: number };
  if (tty) Object.assign(stream, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, clearScreenDown: () => true });
  return { stream, text: () => chunks.join('') };
}

t.test('off a terminal: the plain lines with their prefix, and no bar', async (t) => {
  const out = capture(false);
  const progress = createProgress('paper', { stream: out.stream, prefix: 'paper: ' });
  progress.start(3, 'R1N1S1L1');
  progress.say('[1/3] R1N1S1L1: 100 rps measured, 90 rps modelled');
  progress.advance(1, 'R1N1S2L1');
  progress.update(2);
  progress.say('done');
  progress.stop();
  t.equal(out.text(), 'paper: [1/3] R1N1S1L1: 100 rps measured, 90 rps modelled\npaper: done\n', 'only the lines, byte for byte');
});

t.test('on a terminal: a bar with the count and ETA, and the lines above it', async (t) => {
  const out = capture(true);
  const progress = createProgress('paper', { stream: out.stream, prefix: 'paper: ' });
  progress.say('before the bar');
  progress.start(4, 'first');
  progress.advance(1, 'second');
  progress.say('[1/4] first: measured');
  await new Promise((r) => setTimeout(r, 700)); // the bar redraws at 2 frames a second
  progress.stop();
  const text = out.text();
  t.match(text, /^paper: before the bar\n/, 'a line before the bar is plain');
  t.match(text, /paper .*\d+% \| 1\/4 \| ETA [^|]+\| second/, 'the bar: name, percentage, count, ETA, what runs now');
  t.match(text, /paper: \[1\/4\] first: measured\n/, 'a line said while the bar runs is printed whole');
  t.notMatch(text, /ETA N?F|ETA INF|ETA NULL/, 'no rate yet reads as "--", never as cli-progress\'s INF');
  progress.say('after');
  t.match(out.text(), /paper: after\n$/, 'after stop, lines are plain again');
});
