/** The replay store suite on a real PostgreSQL server, in a database of its own. */
import { inject } from 'vitest';
import { createTestDatabase } from '../testing/test-database.js';
import { createPgClient } from './pg-client.js';
import { replayContract, T0 } from './replay.contract.js';
import { DEFAULT_RETENTION, openSqlStore } from './sql-store.js';

replayContract('PostgreSQL', async () => {
  const db = await createTestDatabase(inject('databaseUrl'), 'replay');
  const store = await openSqlStore(createPgClient({ connectionString: db.url }), DEFAULT_RETENTION, T0);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
});
