// CFI: a hardened library's indirect call through a corrupted pointer is reported with the pointer;
// a gate entering a hardened library must be a call the caller's compartment declared, the caller
// being the compartment whose control block the call arrived in, whatever its FROM word says.

import t from 'tap';
import { bootBuggy, violation } from '../../../fixtures/hardening/boot.js';
import { gateEntryCheck } from '../../../../compartments/runtime/hardening/cfi.js';
import { GateCallee } from '../../../../compartments/gates/callee.js';
import { B_ARGC, B_ERROR_LENGTH, B_ERROR_OFFSET, B_FN, B_FROM, B_STATE, RPC_REGION_BYTES, STATE_RETURNED, STATE_THREW, blockIndex, blockOffset } from '../../../../compartments/gates/protocol.js';
import { Memory } from '../../../../shm/memory.js';
import { buildImage } from '../../../../compartments/host/image.js';
import { parseConfiguration } from '../../../../compartments/config/parse.js';
import { createRegistry } from '../../../../kernel/abi/library.js';
import { buggy, peer, hardeningYaml } from '../../../fixtures/hardening/registry.js';
import { Machine } from '../../../../compartments/host/host.js';
import { alpha, beta, fixtureYaml, forger, gamma } from '../../../fixtures/libs/registry.js';

t.test('an indirect call through a corrupted pointer is a cfi report; unhardened it is refused differently', async (t) => {
  const machine = await bootBuggy(t, ['cfi']);
  const target = await machine.run('buggy', 'peerTarget');
  t.equal(await machine.run('buggy', 'callPointer', [target]), 42, 'a valid pointer calls through the gate');
  for (const corrupt of [target + 1000, -1, 2 ** 31]) {
    const error = await violation(machine.run('buggy', 'callPointer', [corrupt]));
    t.equal(error.code, 'FLEXOS_ERR_HARDENING', `pointer ${corrupt}`);
    t.match(error.info, { check: 'cfi', library: 'buggy', address: corrupt });
  }
  const plain = await bootBuggy(t, []);
  const error = await violation(plain.run('buggy', 'callPointer', [target + 1000]));
  t.equal(error.code, 'FLEXOS_ERR_BAD_ARGUMENT', 'unhardened: the runtime refuses it, no cfi report');
});

t.test('declared gates into a cfi-hardened library pass', async (t) => {
  const machine = await bootBuggy(t, []);
  const hardenedPeer = await (await import('../../../../compartments/host/host.js')).Machine.boot(
    parseConfiguration(hardeningYaml([]).replace('peer: {compartment: b}', 'peer: {compartment: b, hardening: [cfi]}'), { registry: createRegistry([buggy, peer]) }),
    { registry: createRegistry([buggy, peer]) },
  );
  t.teardown(() => hardenedPeer.shutdown());
  t.equal(await hardenedPeer.run('buggy', 'workout', [20]), await machine.run('buggy', 'workout', [20]), 'peer.sum through the checked gate');
  t.equal(await hardenedPeer.run('buggy', 'callPointer', [await hardenedPeer.run('buggy', 'peerTarget')]), 42, 'a pointer caller may reach (int, int) functions');
});

t.test('a gate entry with a function id the caller never declared is a cfi report', (t) => {
  // buggy here declares only peer.sum and calls no pointers.
  const registry = createRegistry([{ ...buggy, calls: { peer: ['sum'] }, callsPointers: false }, peer]);
  const yaml = hardeningYaml([]).replace('peer: {compartment: b}', 'peer: {compartment: b, hardening: [cfi]}');
  const image = buildImage(parseConfiguration(yaml, { registry }), { registry });
  const id = (fn: string): number => image.exports.find((e) => e.library === 'peer' && e.fn === fn)!.id;
  const check = gateEntryCheck(image, 2)!;
  t.doesNotThrow(() => check(1, id('sum')), 'declared by compartment a');
  t.throws(() => check(1, id('target')), { code: 'FLEXOS_ERR_HARDENING', info: { check: 'cfi', library: 'peer', address: id('target') } }, 'not declared');
  t.equal(gateEntryCheck(image, 1), undefined, 'no check where nothing has cfi');

  // Through the callee side of a gate: a corrupted function id in the control block.
  const rpc = new SharedArrayBuffer(RPC_REGION_BYTES);
  const words = new Int32Array(rpc);
  const functions = image.exports.map((e) => ({ library: e.library, fn: e.fn, impl: () => 5 }));
  const callee = new GateCallee(rpc, { functions, memory: new Memory({ compartment: 'b', table: [], buffers: new Map() }), cfi: check });
  // Compartment 1's first block: the caller is known by the block a call arrives in.
  const serve = (fnId: number, block = blockIndex(1, 0), from = 1): number => {
    const w = blockOffset(block) >> 2;
    words[w + B_FROM] = from;
    words[w + B_FN] = fnId;
    words[w + B_ARGC] = 0;
    callee.serve(block);
    return words[w + B_STATE]!;
  };
  t.equal(serve(id('sum')), STATE_RETURNED, 'a declared call is served');
  t.equal(serve(id('target')), STATE_THREW, 'a corrupted one is refused');
  const length = words[(blockOffset(blockIndex(1, 0)) >> 2) + B_ERROR_LENGTH]!;
  t.match(new TextDecoder().decode(new Uint8Array(rpc, blockOffset(blockIndex(1, 0)) + B_ERROR_OFFSET, length)), /^FLEXOS_ERR_HARDENING\ncfi: gate entry to peer.target/);
  // Compartment 2 (peer's own, which declares no call to sum) names compartment 1 in FROM: the block says 2.
  t.equal(serve(id('sum'), blockIndex(2, 0), 1), STATE_THREW, 'a forged FROM word is not believed');
  t.equal(serve(id('sum'), blockIndex(1, 3), 2), STATE_RETURNED, 'any depth of an allowed caller\'s blocks passes, whatever FROM says');
  t.end();
});

t.test('a compartment that forges the caller of a hand-posted gate call is refused by cfi; honest calls pass', async (t) => {
  const registry = createRegistry([alpha, beta, gamma, forger]);
  const yaml = fixtureYaml('intel-pku', { alpha: 'a', beta: 'b', gamma: 'b', forger: 'c' }).replace('beta: {compartment: b}', 'beta: {compartment: b, hardening: [cfi]}');
  const config = parseConfiguration(yaml, { registry });
  const image = buildImage(config, { registry });
  const index = (name: string): number => image.compartments.find((c) => c.name === name)!.index;
  const add = image.exports.find((e) => e.library === 'beta' && e.fn === 'add')!.id;
  const machine = await Machine.boot(config, { registry });
  t.teardown(() => machine.shutdown());
  t.equal(await machine.run('alpha', 'pingBeta', [3]), 4, 'alpha declared beta.add: its gate passes the check');
  const forged = await violation(machine.run('forger', 'forge', [index('c'), index('b'), add, index('a'), 2, 3]));
  t.equal(forged.code, 'FLEXOS_ERR_HARDENING', 'FROM says compartment a; the block is compartment c\'s');
  t.match(forged.message, /cfi: gate entry to beta\.add from compartment c, which declares no call to it/);
  t.equal(await machine.run('alpha', 'pingBeta', [1]), 2, 'honest calls still pass after the refusal');
  const unhardened = parseConfiguration(fixtureYaml('intel-pku', { alpha: 'a', beta: 'b', gamma: 'b', forger: 'c' }), { registry });
  const plain = await Machine.boot(unhardened, { registry });
  t.teardown(() => plain.shutdown());
  t.equal(await plain.run('forger', 'forge', [index('c'), index('b'), add, index('a'), 2, 3]), 5, 'without cfi nothing checks the caller: the call is served');
});
