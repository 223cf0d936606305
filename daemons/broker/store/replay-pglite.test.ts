/** The replay store suite on embedded PGlite (in memory): runs in the unit project. */
import { createPgliteClient } from './pglite-client.js';
import { replayContract, T0 } from './replay.contract.js';
import { DEFAULT_RETENTION, openSqlStore } from './sql-store.js';

replayContract('PGlite', async () => {
  const store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION, T0);
  return { store, cleanup: () => store.close() };
});
