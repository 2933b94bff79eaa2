// A Redis set's structure: members indexed by their latin1 string, bytes in the value store.
// A dense array beside the index gives SPOP/SRANDMEMBER an O(1) uniform pick.

export interface Member {
  readonly member: string;
  readonly addr: number;
  readonly len: number;
}

export class MemberSet {
  #items: Member[] = [];
  #index = new Map<string, number>();

  get size(): number {
    return this.#items.length;
  }

  has(member: string): boolean {
    return this.#index.has(member);
  }

  /** The caller checked has() first. */
  add(item: Member): void {
    this.#index.set(item.member, this.#items.length);
    this.#items.push(item);
  }

  /** Remove and return the member (the caller frees its bytes), or undefined. */
  remove(member: string): Member | undefined {
    const i = this.#index.get(member);
    return i === undefined ? undefined : this.removeAt(i);
  }

  at(i: number): Member {
    const m = this.#items[i];
    if (m === undefined) throw new RangeError(`set index ${i} out of range`);
    return m;
  }

  removeAt(i: number): Member {
    const m = this.at(i);
    const last = this.#items.pop()!;
    this.#index.delete(m.member);
    if (last !== m) {
      this.#items[i] = last;
      this.#index.set(last.member, i);
    }
    return m;
  }

  [Symbol.iterator](): IterableIterator<Member> {
    return this.#items[Symbol.iterator]();
  }
}
