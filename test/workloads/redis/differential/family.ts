// The contract between the differential test (differential.test.ts, which sends the same commands to the
// image and to a real redis-server and compares the replies) and the command families it draws from:
// one file per family in this folder, each exporting `family`.

/** A uniform random number in [0, 1), from a seeded generator so a failing sequence can be replayed. */
export type Rng = () => number;

export interface DiffCommand {
  readonly argv: readonly string[];
  /**
   * How the two replies are compared: `exact` byte for byte (the default); `unordered` as multisets of the
   * elements of an array reply (SMEMBERS, HGETALL pairs kept together by the family choosing HKEYS instead);
   * `shape` by reply type and length only (SPOP, SRANDMEMBER, RANDOMKEY, SCAN cursors).
   */
  readonly compare?: 'exact' | 'unordered' | 'shape';
}

export interface Family {
  readonly name: string;
  /** The commands this family sends (lowercase); the README's supported-command list is checked against them. */
  readonly commands: readonly string[];
  /** `n` commands over a small key space (so they collide), drawn from `rng`. */
  sequence(rng: Rng, n: number): DiffCommand[];
}
