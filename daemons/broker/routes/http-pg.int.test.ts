/** The HTTP API suite on a real PostgreSQL server, in a database of its own. */
import { inject } from 'vitest';
import { createPgClient } from '../store/pg-client.js';
import { DEFAULT_RETENTION, openSqlStore } from '../store/sql-store.js';
import { createTestDatabase } from '../testing/test-database.js';
import { httpContract, NOW } from './http.contract.js';

httpContract('PostgreSQL', async () => {
  const db = await createTestDatabase(inject('databaseUrl'), 'http');
  const store = await openSqlStore(createPgClient({ connectionString: db.url }), DEFAULT_RETENTION, NOW);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
});
