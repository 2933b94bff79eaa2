// newlib's exportsyms used across libraries: the memory and string functions, the malloc family
// (through ukalloc), console output, and errno and ctype (both through uksched's __getreent, as in FlexOS).

import type { LibraryDescriptor } from '../abi/library.js';

export const newlib: LibraryDescriptor = {
  name: 'newlib',
  exports: {
    memcpy: { args: ['addr', 'addr', 'int'], returns: 'addr' },
    memmove: { args: ['addr', 'addr', 'int'], returns: 'addr' },
    memset: { args: ['addr', 'int', 'int'], returns: 'addr' },
    memcmp: { args: ['addr', 'addr', 'int'], returns: 'int' },
    strlen: { args: ['addr'], returns: 'int' },
    strcmp: { args: ['addr', 'addr'], returns: 'int' },
    strncmp: { args: ['addr', 'addr', 'int'], returns: 'int' },
    /** Each reads the locale through __getreent (newlib's ctype.h: __locale_ctype_ptr). */
    tolower: { args: ['int'], returns: 'int' },
    strcasecmp: { args: ['addr', 'addr'], returns: 'int' },
    strchr: { args: ['addr', 'int'], returns: 'addr' },
    strtol: { args: ['addr', 'addr', 'int'], returns: 'int' },
    malloc: { args: ['int'], returns: 'addr' },
    calloc: { args: ['int', 'int'], returns: 'addr' },
    realloc: { args: ['addr', 'int'], returns: 'addr' },
    free: { args: ['addr'], returns: 'void' },
    puts: { args: ['addr'], returns: 'int' },
    write_console: { args: ['addr', 'int'], returns: 'int' },
    __errno: { args: [], returns: 'addr' },
    errno_get: { args: [], returns: 'int' },
    errno_set: { args: ['int'], returns: 'int' },
  },
  calls: {
    ukalloc: ['uk_malloc', 'uk_calloc', 'uk_realloc', 'uk_free'],
    uksched: ['__getreent'],
  },
  whitelist: [],
  implementation: new URL('./newlib.js', import.meta.url).href,
};
