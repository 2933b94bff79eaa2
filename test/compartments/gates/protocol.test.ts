// The gate wire format on its own: the control-block layout (no two words overlap, every block and
// header inside the RPC region, the return value in the state word's cache line) and the states
// (distinct, IDLE the zero a fresh region starts in). Who writes which word: caller/callee tests.

import t from 'tap';
import {
  B_ARGC, B_ARGS_OFFSET, B_ERROR_LENGTH, B_ERROR_OFFSET, B_FN, B_FROM, B_RETURN_OFFSET, B_STATE, B_TO,
  BLOCK_AREA_OFFSET, BLOCK_BYTES, EPT_MAX_ARGS, ERROR_BYTES, G_CONTROL, G_CPU_IDLE, G_SHUTDOWN, G_SPINNERS,
  H_DOORBELL, H_PARKED, H_PENDING, H_SPINNING, HEADER_AREA_BYTES, HEADER_BYTES, MAX_ARGS, MAX_COMPARTMENTS,
  MAX_DEPTH, RPC_REGION_BYTES, STATE_CALLED, STATE_FROZEN, STATE_IDLE, STATE_RETURNED, STATE_THREW,
  blockCaller, blockIndex, blockOffset, headerWord,
} from '../../../compartments/gates/protocol.js';

const CACHE_LINE = 64;

t.test('states: distinct, and IDLE is 0 so a freshly created RPC region has every block idle', async (t) => {
  const states = [STATE_IDLE, STATE_FROZEN, STATE_CALLED, STATE_RETURNED, STATE_THREW];
  t.equal(new Set(states).size, states.length, 'no two states share a value');
  t.equal(STATE_IDLE, 0);
  t.ok(states.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 31), 'each fits the i32 state word');
});

t.test('a block: i32 words, then the return value in the first cache line, then the arguments, then the error text', async (t) => {
  const words = [B_STATE, B_FROM, B_TO, B_FN, B_ARGC, B_ERROR_LENGTH];
  t.equal(new Set(words).size, words.length, 'each i32 word has its own index');
  t.ok(Math.max(...words) * 4 + 4 <= B_RETURN_OFFSET, 'the i32 words end before the return value');
  t.equal(B_RETURN_OFFSET % 8, 0, 'the return value is an aligned f64');
  t.ok(B_RETURN_OFFSET + 8 <= CACHE_LINE && B_STATE * 4 < CACHE_LINE, 'the return value shares the state word\'s cache line');
  t.ok(B_ARGS_OFFSET >= B_RETURN_OFFSET + 8, 'the arguments start after the return value');
  t.equal(B_ARGS_OFFSET % 8, 0, 'the arguments are aligned f64s');
  t.equal(B_ERROR_OFFSET, B_ARGS_OFFSET + 8 * MAX_ARGS, 'the error text starts right after MAX_ARGS arguments');
  t.equal(B_ERROR_OFFSET + ERROR_BYTES, BLOCK_BYTES, 'and runs to the end of the block');
  t.ok(ERROR_BYTES >= 256, `the error area holds a code and a useful message (${ERROR_BYTES} bytes)`);
  t.ok(EPT_MAX_ARGS === 6 && EPT_MAX_ARGS <= MAX_ARGS, 'an EPT gate carries 6 arguments, within what a block holds');
  t.equal(BLOCK_BYTES % CACHE_LINE, 0, 'blocks start on a cache line');
});

t.test('a compartment header: four words of its own, the global words in slot 0 that no compartment uses', async (t) => {
  const own = [H_DOORBELL, H_PENDING, H_PARKED, H_SPINNING];
  t.equal(new Set(own).size, own.length);
  t.ok(Math.max(...own) * 4 + 4 <= HEADER_BYTES, 'the words fit in the header');
  t.equal(HEADER_BYTES, CACHE_LINE, 'one header per cache line: compartments do not share a line');
  const global = [G_SHUTDOWN, G_CONTROL, G_CPU_IDLE, G_SPINNERS];
  t.equal(new Set(global).size, global.length);
  t.ok(global.every((g) => headerWord(0, g) === g && g * 4 < HEADER_BYTES), 'the global words are the words of slot 0');
  const compartmentWords = new Set<number>();
  for (let c = 1; c <= MAX_COMPARTMENTS; c++) for (const w of own) compartmentWords.add(headerWord(c, w));
  t.equal(compartmentWords.size, MAX_COMPARTMENTS * own.length, 'no two compartments share a header word');
  t.ok([...compartmentWords].every((w) => w >= HEADER_BYTES / 4), 'no compartment word lands in the global slot');
  t.ok([...compartmentWords].every((w) => w * 4 + 4 <= HEADER_AREA_BYTES), 'compartment 16\'s header ends inside the header area');
  t.equal(headerWord(3, H_PENDING), (3 * HEADER_BYTES) / 4 + H_PENDING, 'headerWord: slot times header size, plus the word');
});

t.test('blocks: one per (caller compartment, nesting depth), disjoint, after the headers, inside the region', async (t) => {
  t.equal(BLOCK_AREA_OFFSET, HEADER_AREA_BYTES, 'the blocks start where the headers end');
  const offsets = new Set<number>();
  for (let c = 1; c <= MAX_COMPARTMENTS; c++) {
    for (let d = 0; d < MAX_DEPTH; d++) offsets.add(blockOffset(blockIndex(c, d)));
  }
  t.equal(offsets.size, MAX_COMPARTMENTS * MAX_DEPTH, 'every (compartment, depth) has its own block');
  const sorted = [...offsets].sort((a, b) => a - b);
  t.ok(sorted.every((o, i) => i === 0 || o - sorted[i - 1]! >= BLOCK_BYTES), 'blocks do not overlap');
  t.ok(sorted[0]! >= BLOCK_AREA_OFFSET, 'no block overlaps a header');
  t.equal(blockOffset(blockIndex(MAX_COMPARTMENTS, MAX_DEPTH - 1)) + BLOCK_BYTES, RPC_REGION_BYTES, 'the last block ends the region');
  t.equal(blockIndex(2, 0), blockIndex(1, MAX_DEPTH - 1) + 1, 'a compartment\'s depths are consecutive blocks');
  t.equal(blockOffset(0), BLOCK_AREA_OFFSET);
  t.equal(RPC_REGION_BYTES % 8, 0, 'the region can be viewed as f64');
});

t.test('the caller of a block is the compartment it belongs to; an index outside them names nobody', (t) => {
  for (let c = 1; c <= MAX_COMPARTMENTS; c++) {
    for (const d of [0, 1, MAX_DEPTH - 1]) t.equal(blockCaller(blockIndex(c, d)), c, `compartment ${c} depth ${d}`);
  }
  for (const bad of [0, MAX_DEPTH - 1, blockIndex(MAX_COMPARTMENTS + 1, 0), -1, 1.5, NaN]) t.equal(blockCaller(bad), 0, `index ${bad}`);
  t.end();
});
