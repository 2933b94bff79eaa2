// The slice of the sqlite3 WebAssembly API the VFS stands on: the C API's constants and struct
// wrappers, the WebAssembly heap SQLite's buffers live in, and the registration of a VFS. Types only:
// the engine itself is instantiated once per compartment thread by sqlite.ts.

/** The engine's WebAssembly heap and its accessors (its published typings miss a few members). */
export interface WasmHeap {
  heap8u(): Uint8Array;
  poke32(address: number, value: number): unknown;
  poke64(address: number, value: bigint): unknown;
  poke(address: number, value: number, type: 'double'): unknown;
  cstrToJs(address: number): string | null;
}

/** A sqlite3_vfs struct wrapper: the fields the VFS sets, its address in the heap. */
export interface VfsStruct {
  pointer: number;
  $iVersion: number;
  $szOsFile: number;
  $mxPathname: number;
  $xRandomness: number;
  dispose(): void;
}

/** A sqlite3_io_methods struct wrapper. */
export interface IoMethodsStruct {
  pointer: number;
  $iVersion: number;
}

/** A sqlite3_file struct wrapper: SQLite's open file, whose pMethods the VFS points at its io methods. */
export interface FileStruct {
  $pMethods: number;
  dispose(): void;
}

/** The C API: result codes and flags by name (SQLITE_*), and the struct wrappers. */
export type EngineCapi = Record<string, number> & {
  sqlite3_vfs_find(name: string | null): number;
  sqlite3_vfs: new (pointer?: number) => VfsStruct;
  sqlite3_io_methods: new () => IoMethodsStruct;
  sqlite3_file: (new (pointer: number) => FileStruct) & { structInfo: { sizeof: number } };
};

/** The slice of the sqlite3 WebAssembly API the VFS uses. */
export interface Engine {
  readonly capi: EngineCapi;
  readonly wasm: WasmHeap;
  readonly vfs: { installVfs(options: Record<string, unknown>): unknown };
}
