/** The store contract on embedded PGlite (in memory): runs in the unit project, no server needed. */
import { createPgliteClient } from './pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from './sql-store.js';
import { enforcementContract, enforcementRangesContract } from './enforcement.contract.js';
import { storeContract, T0, type StoreFactory } from './store.contract.js';

const open: StoreFactory = async (retention = DEFAULT_RETENTION) => {
  const store = await openSqlStore(await createPgliteClient(), retention, T0);
  return { store, cleanup: () => store.close() };
};

storeContract('PGlite', open);
enforcementContract('PGlite', open);
enforcementRangesContract('PGlite', async () => {
  const client = await createPgliteClient();
  const store = await openSqlStore(client, DEFAULT_RETENTION, T0);
  return { store, sql: client, cleanup: () => store.close() };
});
