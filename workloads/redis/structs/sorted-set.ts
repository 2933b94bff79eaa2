// A Redis sorted set's structure: a dict from member to node plus Redis's zskiplist with spans
// (t_zset.c), ordered by (score, member bytes), so ranks and pops are O(log n).
// Member bytes live in the value store; the node keeps their address and the latin1 index key.

const MAX_LEVEL = 32;
const P = 0.25;

export interface ZNode {
  readonly member: string;
  score: number;
  readonly addr: number;
  readonly len: number;
  backward: ZNode | null;
  readonly next: (ZNode | null)[];
  readonly span: number[];
}

function newNode(level: number, member: string, score: number, addr: number, len: number): ZNode {
  return { member, score, addr, len, backward: null, next: new Array(level).fill(null), span: new Array(level).fill(0) };
}

/** Redis zslValueGteMin-style ordering: score first, then memcmp of the member bytes. */
const before = (n: ZNode, score: number, member: string): boolean =>
  n.score < score || (n.score === score && n.member < member);

export class SortedSet {
  #dict = new Map<string, ZNode>();
  #header = newNode(MAX_LEVEL, '', 0, -1, 0);
  #tail: ZNode | null = null;
  #level = 1;
  #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  get size(): number {
    return this.#dict.size;
  }

  get(member: string): ZNode | undefined {
    return this.#dict.get(member);
  }

  /** Insert a member that is not present (the caller checked get()). */
  insert(member: string, score: number, addr: number, len: number): ZNode {
    const update: ZNode[] = new Array(MAX_LEVEL);
    const rank: number[] = new Array(MAX_LEVEL).fill(0);
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      rank[i] = i === this.#level - 1 ? 0 : rank[i + 1]!;
      for (let n = x.next[i]; n && before(n, score, member); n = x.next[i]) {
        rank[i]! += x.span[i]!;
        x = n;
      }
      update[i] = x;
    }
    const level = this.#randomLevel();
    if (level > this.#level) {
      for (let i = this.#level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.#header;
        this.#header.span[i] = this.#dict.size;
      }
      this.#level = level;
    }
    const node = newNode(level, member, score, addr, len);
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      node.next[i] = u.next[i]!;
      u.next[i] = node;
      node.span[i] = u.span[i]! - (rank[0]! - rank[i]!);
      u.span[i] = rank[0]! - rank[i]! + 1;
    }
    for (let i = level; i < this.#level; i++) update[i]!.span[i]!++;
    node.backward = update[0] === this.#header ? null : update[0]!;
    if (node.next[0]) node.next[0].backward = node;
    else this.#tail = node;
    this.#dict.set(member, node);
    return node;
  }

  /** Unlink and return the member's node (the caller frees its bytes), or undefined. */
  delete(member: string): ZNode | undefined {
    const node = this.#dict.get(member);
    if (node === undefined) return undefined;
    const update: ZNode[] = new Array(MAX_LEVEL);
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let n = x.next[i]; n && n !== node && before(n, node.score, member); n = x.next[i]) x = n;
      update[i] = x;
    }
    for (let i = 0; i < this.#level; i++) {
      const u = update[i]!;
      if (u.next[i] === node) {
        u.span[i]! += node.span[i]! - 1;
        u.next[i] = node.next[i]!;
      } else {
        u.span[i]!--;
      }
    }
    if (node.next[0]) node.next[0].backward = node.backward;
    else this.#tail = node.backward;
    while (this.#level > 1 && this.#header.next[this.#level - 1] === null) this.#level--;
    this.#dict.delete(member);
    return node;
  }

  /** Move a member to a new score, keeping its bytes. */
  updateScore(member: string, score: number): ZNode {
    const old = this.delete(member);
    if (old === undefined) throw new RangeError('updateScore: no such member');
    return this.insert(member, score, old.addr, old.len);
  }

  /** The node at 0-based rank, or null. */
  byRank(rank: number): ZNode | null {
    if (rank < 0 || rank >= this.#dict.size) return null;
    let traversed = 0;
    let x = this.#header;
    const target = rank + 1;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let n = x.next[i]; n && traversed + x.span[i]! <= target; n = x.next[i]) {
        traversed += x.span[i]!;
        x = n;
      }
      if (traversed === target) return x;
    }
    return null;
  }

  /** 0-based rank of a member, or -1. */
  rankOf(member: string): number {
    const node = this.#dict.get(member);
    if (node === undefined) return -1;
    let rank = 0;
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let n = x.next[i]; n && (n === node || before(n, node.score, member)); n = x.next[i]) {
        rank += x.span[i]!;
        x = n;
        if (n === node) return rank - 1;
      }
    }
    return -1;
  }

  /**
   * The last node for which `below` holds, or null: `below` must hold for a prefix of the
   * order (zslFirstInRange / zslLastInRange descend the levels this way, O(log n)).
   */
  lastWhere(below: (n: ZNode) => boolean): ZNode | null {
    let x = this.#header;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let n = x.next[i]; n && below(n); n = x.next[i]) x = n;
    }
    return x === this.#header ? null : x;
  }

  /** The first node for which `below` does not hold (see lastWhere), or null. */
  firstNotWhere(below: (n: ZNode) => boolean): ZNode | null {
    const x = this.lastWhere(below);
    return x === null ? (this.#header.next[0] ?? null) : (x.next[0] ?? null);
  }

  first(): ZNode | null {
    return this.#header.next[0] ?? null;
  }

  last(): ZNode | null {
    return this.#tail;
  }

  *[Symbol.iterator](): IterableIterator<ZNode> {
    for (let n = this.#header.next[0] ?? null; n !== null; n = n.next[0] ?? null) yield n;
  }

  #randomLevel(): number {
    let level = 1;
    while (level < MAX_LEVEL && this.#random() < P) level++;
    return level;
  }
}
