/** Session settings of the broker's PostgreSQL connections. */
import { describe, expect, inject, it } from 'vitest';
import { createPgClient } from './pg-client.js';

describe('pg client', () => {
  it('opens connections with JIT off, for plain queries and inside transactions', async () => {
    const client = createPgClient({ connectionString: inject('databaseUrl'), max: 2 });
    try {
      const plain = await client.query<{ jit: string }>('SHOW jit');
      const inTx = await client.transaction((tx) => tx.query<{ jit: string }>('SHOW jit'));
      expect([plain.rows[0]?.jit, inTx.rows[0]?.jit]).toEqual(['off', 'off']);
    } finally {
      await client.close();
    }
  });
});
