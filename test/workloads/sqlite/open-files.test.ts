// The VFS's table of open files alone: a file is found by its sqlite3_file address until deleted,
// and any other address is refused with FLEXOS_ERR_BAD_ARGUMENT naming it.

import t from 'tap';
import { FlexosError } from '../../../kernel/abi/errors.js';
import { OpenFiles } from '../../../workloads/sqlite/open-files.js';

t.test('a file is found at its pFile until deleted; another address is FLEXOS_ERR_BAD_ARGUMENT', async (t) => {
  const files = new OpenFiles();
  const file = { fd: 3, path: '/db', deleteOnClose: false, lock: 0 };
  files.add(0x1230, file);
  t.equal(files.get(0x1230), file);
  t.throws(() => files.get(0x1238), new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', 'sqlite vfs: no open file at 0x1238'));
  files.delete(0x1230);
  t.throws(() => files.get(0x1230), { code: 'FLEXOS_ERR_BAD_ARGUMENT' });
});
