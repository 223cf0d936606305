/** The store contract on a real PostgreSQL server, in a database of its own. */
import { inject } from 'vitest';
import { createTestDatabase } from '../testing/test-database.js';
import { createPgClient } from './pg-client.js';
import { DEFAULT_RETENTION, openSqlStore } from './sql-store.js';
import { enforcementContract, enforcementRangesContract } from './enforcement.contract.js';
import { storeContract, T0, type StoreFactory } from './store.contract.js';

const open: StoreFactory = async (retention = DEFAULT_RETENTION) => {
  const db = await createTestDatabase(inject('databaseUrl'), 'store');
  const store = await openSqlStore(createPgClient({ connectionString: db.url }), retention, T0);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
};

storeContract('PostgreSQL', open);
enforcementContract('PostgreSQL', open);
enforcementRangesContract('PostgreSQL', async () => {
  const db = await createTestDatabase(inject('databaseUrl'), 'checks');
  const client = createPgClient({ connectionString: db.url });
  const store = await openSqlStore(client, DEFAULT_RETENTION, T0);
  return {
    store,
    sql: client,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
});
