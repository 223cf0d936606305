/** The HTTP API suite on embedded PGlite (in memory). */
import { createPgliteClient } from '../store/pglite-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import { httpContract, NOW } from './http.contract.js';

httpContract('PGlite', async () => {
  const store = await openSqlStore(await createPgliteClient(), DEFAULT_RETENTION, NOW);
  return { store, cleanup: () => store.close() };
});
