// A Redis list's structure: a ring of (address, length) pairs naming elements in the value store.
// O(1) push/pop at both ends and O(1) index, like a quicklist without the packing; inserts and
// removals inside shift the shorter side.

export class HandleDeque {
  #addr: Float64Array;
  #len: Float64Array;
  #mask: number;
  #head = 0;
  #size = 0;

  constructor(capacity = 8) {
    let cap = 8;
    while (cap < capacity) cap *= 2;
    this.#addr = new Float64Array(cap);
    this.#len = new Float64Array(cap);
    this.#mask = cap - 1;
  }

  get length(): number {
    return this.#size;
  }

  pushBack(addr: number, len: number): void {
    if (this.#size === this.#addr.length) this.#grow();
    const i = (this.#head + this.#size) & this.#mask;
    this.#addr[i] = addr;
    this.#len[i] = len;
    this.#size++;
  }

  pushFront(addr: number, len: number): void {
    if (this.#size === this.#addr.length) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#addr[this.#head] = addr;
    this.#len[this.#head] = len;
    this.#size++;
  }

  /** Address of element `index` (0 = head); the caller checks 0 <= index < length. */
  addrAt(index: number): number {
    return this.#addr[(this.#head + index) & this.#mask]!;
  }

  lenAt(index: number): number {
    return this.#len[(this.#head + index) & this.#mask]!;
  }

  /** Remove the head (the caller has read and will free it). */
  dropFront(): void {
    if (this.#size === 0) throw new RangeError('dropFront on an empty list');
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
  }

  dropBack(): void {
    if (this.#size === 0) throw new RangeError('dropBack on an empty list');
    this.#size--;
  }

  /** Replace element `index` (LSET); the caller frees the old bytes. */
  setAt(index: number, addr: number, len: number): void {
    const i = (this.#head + index) & this.#mask;
    this.#addr[i] = addr;
    this.#len[i] = len;
  }

  /** Insert before element `index` (0..length), shifting the shorter side (LINSERT). */
  insertAt(index: number, addr: number, len: number): void {
    if (index < 0 || index > this.#size) throw new RangeError(`insertAt ${index} outside 0..${this.#size}`);
    if (index < this.#size / 2) {
      this.pushFront(0, 0);
      for (let k = 0; k < index; k++) this.setAt(k, this.addrAt(k + 1), this.lenAt(k + 1));
    } else {
      this.pushBack(0, 0);
      for (let k = this.#size - 1; k > index; k--) this.setAt(k, this.addrAt(k - 1), this.lenAt(k - 1));
    }
    this.setAt(index, addr, len);
  }

  /** Remove element `index`, shifting the shorter side (LREM); the caller frees its bytes. */
  removeAt(index: number): void {
    if (index < 0 || index >= this.#size) throw new RangeError(`removeAt ${index} outside 0..${this.#size - 1}`);
    if (index < this.#size / 2) {
      for (let k = index; k > 0; k--) this.setAt(k, this.addrAt(k - 1), this.lenAt(k - 1));
      this.dropFront();
    } else {
      for (let k = index; k < this.#size - 1; k++) this.setAt(k, this.addrAt(k + 1), this.lenAt(k + 1));
      this.dropBack();
    }
  }

  #grow(): void {
    const cap = this.#addr.length * 2;
    const addr = new Float64Array(cap);
    const len = new Float64Array(cap);
    for (let i = 0; i < this.#size; i++) {
      addr[i] = this.addrAt(i);
      len[i] = this.lenAt(i);
    }
    this.#addr = addr;
    this.#len = len;
    this.#mask = cap - 1;
    this.#head = 0;
  }
}
