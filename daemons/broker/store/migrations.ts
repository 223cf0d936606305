/**
 * Versioned schema migrations, applied at start-up. All pending migrations run in one transaction
 * that first takes a transaction-scoped advisory lock, so two replicas starting together apply
 * them once: the second waits, then finds them recorded in schema_migrations. Migrations are
 * append-only: never edit one that has shipped, add the next version.
 *
 * Both big tables are partitioned by day (partitions.ts creates and drops the partitions), so
 * retention drops whole partitions instead of deleting rows. Text columns that are part of a
 * key are NOT NULL with '' for "absent", because NULLs are never equal in a unique index.
 */
import type { SqlClient } from './sql-client.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Advisory lock keys used by the broker (one namespace of 64-bit keys per database). */
export const LOCK_KEYS = { migrations: 7_561_044_001, partitions: 7_561_044_002, verdictIds: 7_561_044_003 } as const;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'flows, audit_verdicts and ingested_batches',
    sql: `
CREATE TABLE flows (
  id            bigserial   NOT NULL,
  bucket        timestamptz NOT NULL,  -- minute of first_seen: the de-duplication bucket
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  src_ip        inet        NOT NULL,
  src_port      integer     NOT NULL,  -- last source port seen (not part of the key)
  src_kind      text        NOT NULL,
  src_namespace text        NOT NULL DEFAULT '',
  src_pod       text        NOT NULL DEFAULT '',
  src_pod_uid   text        NOT NULL DEFAULT '',
  dst_ip        inet        NOT NULL,
  dst_port      integer     NOT NULL,
  dst_kind      text        NOT NULL,
  dst_namespace text        NOT NULL DEFAULT '',
  dst_pod       text        NOT NULL DEFAULT '',
  dst_pod_uid   text        NOT NULL DEFAULT '',
  protocol      text        NOT NULL,
  direction     text        NOT NULL,
  state         text        NOT NULL,
  node          text        NOT NULL,
  count         bigint      NOT NULL,
  -- Observations not yet evaluated; the evaluation loop subtracts what it has judged.
  pending       bigint      NOT NULL,
  -- Claim of the evaluation loop on this row: who (token) and until when (lease).
  lease_token   text,
  lease_until   timestamptz
) PARTITION BY RANGE (bucket);
CREATE UNIQUE INDEX flows_key ON flows
  (bucket, src_ip, src_namespace, src_pod, dst_ip, dst_namespace, dst_pod, protocol, dst_port, direction, state);
CREATE INDEX flows_id ON flows (id);
CREATE INDEX flows_pending ON flows (id) WHERE pending > 0;

CREATE TABLE audit_verdicts (
  id                bigserial   NOT NULL,
  observed_at       timestamptz NOT NULL,  -- the flow's time, not the insert time
  evaluated_at      timestamptz NOT NULL,
  flow_id           bigint      NOT NULL,
  policy_uid        text        NOT NULL DEFAULT '',
  policy_kind       text        NOT NULL,
  policy_namespace  text        NOT NULL,  -- '' for cluster-scoped policies
  policy_name       text        NOT NULL,
  policy_generation bigint      NOT NULL DEFAULT 0,
  direction         text        NOT NULL,
  verdict           text        NOT NULL,
  src_namespace     text        NOT NULL DEFAULT '',
  src_pod           text        NOT NULL DEFAULT '',
  src_ip            inet        NOT NULL,
  dst_namespace     text        NOT NULL DEFAULT '',
  dst_pod           text        NOT NULL DEFAULT '',
  dst_ip            inet        NOT NULL,
  port              integer     NOT NULL,
  protocol          text        NOT NULL,
  reason            text        NOT NULL,
  count             bigint      NOT NULL
) PARTITION BY RANGE (observed_at);
-- One index per filter of GET /audit/verdicts, each ending in the sort order (observed_at, id)
-- so a filtered page is an index range scan that stops after LIMIT rows.
CREATE INDEX audit_verdicts_time ON audit_verdicts (observed_at, id);
CREATE INDEX audit_verdicts_policy ON audit_verdicts (policy_namespace, policy_name, observed_at, id);
CREATE INDEX audit_verdicts_policy_verdict ON audit_verdicts (policy_namespace, policy_name, verdict, observed_at, id);
CREATE INDEX audit_verdicts_name ON audit_verdicts (policy_name, observed_at, id);
CREATE INDEX audit_verdicts_verdict ON audit_verdicts (verdict, observed_at, id);
CREATE INDEX audit_verdicts_direction ON audit_verdicts (direction, observed_at, id);
CREATE INDEX audit_verdicts_id ON audit_verdicts (id);

-- Batch ids already stored, written in the same transaction as the batch's flows: a retried
-- batch finds its id here and stores nothing.
CREATE TABLE ingested_batches (
  node         text        NOT NULL,
  batch_id     text        NOT NULL,
  received_at  timestamptz NOT NULL,
  observations integer     NOT NULL,
  PRIMARY KEY (node, batch_id)
);
CREATE INDEX ingested_batches_received ON ingested_batches (received_at);
`,
  },
  {
    version: 2,
    name: 'audit_verdicts index for namespace-only queries',
    // Without it, ?namespace=X walked the time index and filtered (or sorted a namespace's rows).
    sql: 'CREATE INDEX audit_verdicts_namespace ON audit_verdicts (policy_namespace, observed_at, id);',
  },
  {
    version: 3,
    name: 'audit_verdicts index for the summary by policy uid and generation',
    // The evaluator's status writer asks for one policy generation's counts over a window.
    sql: 'CREATE INDEX audit_verdicts_uid ON audit_verdicts (policy_uid, policy_generation, observed_at, id);',
  },
  {
    version: 4,
    name: 'replay_jobs',
    sql: `
CREATE TABLE replay_jobs (
  id                bigserial   PRIMARY KEY,
  policy_uid        text        NOT NULL,
  policy_kind       text        NOT NULL,
  policy_namespace  text        NOT NULL,
  policy_name       text        NOT NULL,
  policy_generation bigint      NOT NULL,
  since             timestamptz NOT NULL,
  until             timestamptz NOT NULL,  -- creation time: later buckets are judged live
  state             text        NOT NULL DEFAULT 'Running',
  -- Main pass progress: flows with id <= scan_cursor are done, except the ids in retry_ids.
  scan_cursor       bigint      NOT NULL DEFAULT 0,
  retry_ids         bigint[]    NOT NULL DEFAULT '{}',
  flows_total       bigint,
  flows_scanned     bigint      NOT NULL DEFAULT 0,
  verdicts          bigint      NOT NULL DEFAULT 0,
  error             text,
  lease_token       text,
  lease_until       timestamptz,
  created_at        timestamptz NOT NULL,
  finished_at       timestamptz,
  UNIQUE (policy_uid, policy_generation)
);
CREATE INDEX replay_jobs_running ON replay_jobs (id) WHERE state = 'Running';
`,
  },
  {
    version: 5,
    name: 'audit_verdicts.state: the connection state of the judged flow',
    // A column, not a join on flow_id: a replayed verdict sums several flow rows (flow_id 0), flows
    // expire on their own schedule, and a filtered page must stay one index range scan. Verdicts
    // stored before this version take their flow's state where the flow row still exists; the
    // rest keep '' (unknown). The new filter gets its index like every other one.
    sql: `
ALTER TABLE audit_verdicts ADD COLUMN state text NOT NULL DEFAULT '';
UPDATE audit_verdicts v SET state = f.state FROM flows f WHERE v.flow_id <> 0 AND f.id = v.flow_id;
CREATE INDEX audit_verdicts_state ON audit_verdicts (state, observed_at, id);
`,
  },
  {
    version: 6,
    name: 'enforcement_checks',
    // What the enforced NetworkPolicies predicted for each judged observation, per policy that
    // decided it, beside the flow's connection state (daemons/broker/verify/enforcement.ts).
    sql: `
CREATE TABLE enforcement_checks (
  observed_at       timestamptz NOT NULL,
  flow_id           bigint      NOT NULL,
  policy_uid        text        NOT NULL,
  policy_namespace  text        NOT NULL,
  policy_name       text        NOT NULL,
  policy_generation bigint      NOT NULL,
  direction         text        NOT NULL,
  predicted         text        NOT NULL,
  state             text        NOT NULL,
  src_namespace     text        NOT NULL,
  src_pod           text        NOT NULL,
  src_ip            inet        NOT NULL,
  dst_namespace     text        NOT NULL,
  dst_pod           text        NOT NULL,
  dst_ip            inet        NOT NULL,
  port              integer     NOT NULL,
  protocol          text        NOT NULL,
  count             bigint      NOT NULL
) PARTITION BY RANGE (observed_at);
CREATE INDEX enforcement_checks_time ON enforcement_checks (observed_at);
CREATE INDEX enforcement_checks_policy ON enforcement_checks (policy_namespace, policy_name, observed_at);
`,
  },
  {
    version: 7,
    name: 'enforcement checks per flow row: flows.checked and enforcement_checks.from_judged',
    // A check row per judgement repeated the same prediction for every new observation of a flow
    // row. From here a check row stands for a range of its flow row's judged observations, from
    // from_judged, and is written only when the prediction changes; flows.checked remembers the
    // row's current checks (store/enforcement-checks.ts). Rows already stored keep from_judged NULL
    // and are read as before. Both columns are added without rewriting either table (a NULL and a
    // constant default are catalogue-only changes).
    sql: `
ALTER TABLE flows ADD COLUMN checked text NOT NULL DEFAULT '';
ALTER TABLE enforcement_checks ADD COLUMN from_judged bigint;
`,
  },
  {
    version: 8,
    name: 'flows.checks_hash in place of flows.checked',
    // flows.checked (the whole text of a flow row's checks, about 76 bytes for one policy) went
    // through every claim and, PostgreSQL rewriting a row whole on update, into both new versions
    // of the row each judgement writes (the claim's lease, the completion). A hash of the checks
    // (8 bytes) tells as well whether they changed; when they did, the checks before are read back
    // from the flow row's check rows, which hold the same (store/enforcement-checks.ts), found
    // through the new index. Rows stored before keep checks_hash NULL ("not known": read back at
    // their next judgement); new rows start at 0 (no checks). Adding the column, its default and
    // dropping the old one change only the catalogue; the index is built over the existing checks.
    sql: `
ALTER TABLE flows ADD COLUMN checks_hash bigint;
ALTER TABLE flows ALTER COLUMN checks_hash SET DEFAULT 0;
ALTER TABLE flows DROP COLUMN checked;
CREATE INDEX enforcement_checks_flow ON enforcement_checks (flow_id, from_judged) WHERE from_judged IS NOT NULL;
`,
  },
];

/** Applies the migrations not yet recorded; safe to call from several processes at once. */
export async function migrate(client: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return client.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.migrations]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(done.rows.map((r) => r.version));
    const ran: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      for (const stmt of splitStatements(m.sql)) await tx.query(stmt);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      ran.push(m.version);
    }
    return ran;
  });
}

/**
 * Splits a migration into statements (the extended protocol runs one per call). Migrations hold
 * no semicolons inside strings or function bodies; a test keeps it that way.
 */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}
