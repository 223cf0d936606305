/**
 * The OpenAPI 3.1 description of the broker's HTTP API, served at /openapi.json. openapi.test.ts
 * checks it against the app's real routes and query parameters, so it cannot silently drift.
 */
import { DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN } from '../../../contracts/kube-names.js';
import { RFC3339_MAX_LENGTH, RFC3339_PATTERN } from '../../../contracts/rfc3339.js';
import { TIME_BOUND_MAX_LENGTH, TIME_BOUND_PATTERN } from '../../../contracts/time-bound.js';
import { POSITIVE_DURATION_PATTERN } from '../../../runtime/duration.js';
import { DURATION_MAX_LENGTH } from './query-params.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const time = {
  type: 'string',
  maxLength: TIME_BOUND_MAX_LENGTH,
  pattern: TIME_BOUND_PATTERN,
  description: 'RFC 3339 time of a real date (2026-02-30 is refused), or a look-back of more than zero such as 15m, 1h30m, 1.5h, 7d',
} as const;
const dateTime = { type: 'string', format: 'date-time', maxLength: RFC3339_MAX_LENGTH, pattern: RFC3339_PATTERN, description: 'RFC 3339 with a zone, of a real date' } as const;
const name = { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' } as const;
const uid = { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' } as const;
const id = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
/** A duration of the one grammar (runtime/duration.ts), more than zero. */
const windowDuration = { type: 'string', maxLength: DURATION_MAX_LENGTH, pattern: POSITIVE_DURATION_PATTERN } as const;
const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

type Param = { name: string; in: 'query' | 'header' | 'path'; schema: object; description?: string; required?: boolean };
const q = (name: string, schema: object, description?: string): Param => ({ name, in: 'query', schema, description });

const verdictFilter: Param[] = [
  q('policy', name, 'Policy name'),
  q('namespace', { ...name, pattern: '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$' }, "Policy namespace; present and empty ('namespace=') selects cluster-scoped policies"),
  q('verdict', { enum: ['Allow', 'WouldDeny'] }),
  q('direction', { enum: ['Ingress', 'Egress'] }),
  q('state', { enum: ['established', 'attempt', 'refused', 'seen'] }, "The judged flow's connection state as the agent saw it"),
  q('since', time, 'Observed at or after'),
  q('until', time, 'Observed before; must be after since (else 400)'),
  q('generations', { enum: ['all', 'latest'], default: 'all' }, "latest: only verdicts of each policy's latest generation (the highest stored for its uid), so an edited policy's older verdicts drop out"),
];

const errors = {
  '400': { description: 'A bad parameter or body; `field` names it', content: { 'application/json': { schema: ref('Error') } } },
  '401': { description: 'No valid bearer token', content: { 'application/json': { schema: ref('Error') } } },
  '403': { description: 'Not allowed (SubjectAccessReview)', content: { 'application/json': { schema: ref('Error') } } },
  '405': { description: 'Method not served on this path; the Allow header lists those that are', content: { 'application/json': { schema: ref('Error') } } },
  '503': { description: 'Database unavailable, broker saturated, or a write the database aborted for a concurrent one; retry (Retry-After)', content: { 'application/json': { schema: ref('Error') } } },
};
const bodyErrors = {
  // Content-Encoding (absent, identity or gzip) is not a parameter here: a client sends it to say
  // how its body is encoded, never as a value of its own choosing (docs/broker.md, Ingest).
  '415': { description: 'Content-Type not application/json, or Content-Encoding not gzip or identity', content: { 'application/json': { schema: ref('Error') } } },
};
const json = (schema: object, description = 'OK'): object => ({ description, content: { 'application/json': { schema } } });

/** One end of a flow as agents send it: contracts/flow-end.ts's flowEndSchema; the answers' ends are projections of it. */
const endpoint = {
  type: 'object',
  required: ['ip', 'port', 'kind'],
  properties: {
    ip: { type: 'string', maxLength: 45, anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }], description: 'IPv4 or IPv6 address, without an IPv6 zone id (%eth0)' },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    kind: { enum: ['pod', 'host', 'node', 'external', 'unknown'] },
    namespace: { type: 'string', maxLength: 63, pattern: DNS_LABEL_PATTERN },
    pod: { type: 'string', maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN },
    podUid: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' },
  },
};
type EndField = keyof typeof endpoint.properties;
/** The same fields as the broker answers them: only their JSON types (it sends what it stored). */
const storedEndProperties = Object.fromEntries(
  Object.entries(endpoint.properties).map(([k, v]) => [k, 'type' in v && v.type === 'integer' ? int : str]),
) as Record<EndField, typeof str | typeof int>;
const endProjection = (fields: readonly EndField[]): object => ({ type: 'object', properties: Object.fromEntries(fields.map((f) => [f, storedEndProperties[f]])) });
const storedEndpoint = endProjection(['ip', 'port', 'kind', 'namespace', 'pod', 'podUid']);
/** A judged end: its name, '' for a namespace or pod the broker does not know (contracts/flow-end.ts). */
const verdictEnd = endProjection(['namespace', 'pod', 'ip']);

export interface PathFamily {
  /** The prefix (or the exact paths) that puts a path in the family. */
  pattern: RegExp;
  /** The family as info.description and docs/broker.md state it. */
  rule: string;
  /** Methods its paths may serve. */
  methods: readonly string[];
}

/**
 * The rule the paths follow, read off the routes: a path's prefix says what it answers with, not
 * who calls it. openapi.test.ts puts every documented path in exactly one family, so a path that
 * fits none fails until the rule names it. The /audit/ paths carry no version segment because the
 * product documents `GET /audit/verdicts` as it is; they only ever grow compatibly.
 */
export const PATH_FAMILIES: readonly PathFamily[] = [
  {
    pattern: /^\/audit\/[a-z/]+$/,
    rule: '/audit/...: what the audit policies (AuditNetworkPolicy, AuditClusterNetworkPolicy) judged: their verdicts, the live stream of them and their counts. Read only (GET), for people and their tools (the plugin, the web view, scripts); needs get on auditverdicts.kguardian.dev.',
    methods: ['get'],
  },
  {
    pattern: /^\/v1\/[a-z/{}]+$/,
    rule: '/v1/...: every other record the broker keeps: flows (written by agents, read for replays), replay jobs (asked by the evaluator\'s leader) and the enforcement checks of enforced NetworkPolicies (verify, which reads them with the verdicts\' permission). Versioned: an incompatible change would come as /v2/ beside it.',
    methods: ['get', 'post'],
  },
  {
    pattern: /^\/(healthz|readyz|metrics|openapi\.json)$/,
    rule: 'At the root, unversioned: the probes, the metrics and this document.',
    methods: ['get'],
  },
];

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'kguardian broker',
    version: '1',
    description: `Flows observed by node agents and the audit verdicts of AuditNetworkPolicies. Paths come in three families: ${PATH_FAMILIES.map((f) => f.rule).join(' ')}`,
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A Kubernetes token (TokenReview + SubjectAccessReview)' } },
    schemas: {
      Error: { type: 'object', required: ['error'], properties: { error: str, field: str, index: int } },
      FlowObservation: {
        type: 'object',
        required: ['src', 'dst', 'protocol', 'direction', 'state', 'firstSeen', 'lastSeen', 'count', 'node'],
        properties: {
          src: endpoint,
          dst: { ...endpoint, properties: { ...endpoint.properties, port: { type: 'integer', minimum: 1, maximum: 65535 } } },
          protocol: { enum: ['TCP', 'UDP', 'SCTP'] },
          direction: { enum: ['Ingress', 'Egress'] },
          state: { enum: ['established', 'attempt', 'refused', 'seen'] },
          firstSeen: { ...dateTime, description: 'Within the flow retention window and at most a day ahead of the broker' },
          lastSeen: { ...dateTime, description: 'Not before firstSeen' },
          count: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
          node: { type: 'string', minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN, description: "The batch's node" },
        },
      },
      FlowBatch: {
        type: 'object',
        required: ['batchId', 'node', 'flows'],
        properties: {
          batchId: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' },
          node: { type: 'string', minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN },
          flows: { type: 'array', maxItems: 20_000, items: ref('FlowObservation') },
        },
      },
      StoredFlow: {
        type: 'object',
        properties: {
          id: int, bucket: str, firstSeen: str, lastSeen: str, src: storedEndpoint, dst: storedEndpoint, protocol: str, direction: str,
          state: str, node: str, count: int,
        },
      },
      Offender: {
        type: 'object',
        properties: {
          src: verdictEnd, dst: verdictEnd, port: int, protocol: str, direction: { enum: ['Ingress', 'Egress'] }, count: int,
          lastSeen: { type: 'string', format: 'date-time', description: 'Latest observation of this offender in the window' },
          states: {
            type: 'object',
            description: 'count split by connection state (unknown: verdicts stored before the state was kept); states with none are left out',
            properties: Object.fromEntries(['established', 'attempt', 'refused', 'seen', 'unknown'].map((k) => [k, { type: 'integer', minimum: 1 }])),
            additionalProperties: false,
          },
        },
      },
      Summary: {
        type: 'object',
        properties: {
          policy: { type: ['string', 'null'] }, namespace: { type: ['string', 'null'] }, uid: { type: ['string', 'null'] },
          generation: { type: ['integer', 'null'] }, since: str, until: str, allow: int, wouldDeny: int,
          unidentifiedPeers: {
            type: 'integer',
            description: 'Observations whose peer (the source of an Ingress verdict, the destination of an Egress one) has no pod identity but a private or unique-local IP (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) or IPv6 link-local (fe80::/10)',
          },
          topOffenders: { type: 'array', items: ref('Offender') },
        },
      },
      ReplayPolicy: {
        type: 'object',
        required: ['uid', 'kind', 'namespace', 'name', 'generation'],
        properties: {
          uid,
          kind: { enum: ['AuditNetworkPolicy', 'AuditClusterNetworkPolicy'] },
          namespace: { type: 'string', maxLength: 63, description: "The policy's namespace (a DNS label) for AuditNetworkPolicy, '' for AuditClusterNetworkPolicy" },
          name,
          generation: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        },
        // The namespace goes with the kind: a namespaced policy has one, a cluster-scoped one none.
        oneOf: [
          { properties: { kind: { const: 'AuditNetworkPolicy' }, namespace: { pattern: DNS_LABEL_PATTERN } } },
          { properties: { kind: { const: 'AuditClusterNetworkPolicy' }, namespace: { const: '' } } },
        ],
      },
      ReplayRequest: {
        type: 'object',
        required: ['policy', 'since'],
        properties: { policy: ref('ReplayPolicy'), since: { ...dateTime, description: 'Not in the future; moved up to the oldest flow kept' } },
      },
      Replay: {
        type: 'object',
        required: ['id', 'policy', 'since', 'until', 'state', 'flowsScanned', 'flowsTotal', 'verdicts'],
        properties: {
          id: int,
          policy: ref('ReplayPolicy'),
          since: { type: 'string', format: 'date-time' },
          until: { type: 'string', format: 'date-time', description: 'Creation time: flows bucketed later are judged live' },
          state: { enum: ['Running', 'Complete', 'Failed', 'Superseded'] },
          flowsScanned: int,
          flowsTotal: { type: ['integer', 'null'], description: 'Flow rows the policy can concern; null until counted' },
          verdicts: { type: 'integer', description: 'Verdict rows stored by the replay' },
          error: str,
        },
      },
      EnforcementReport: {
        type: 'object',
        required: ['since', 'until', 'rows', 'truncated'],
        properties: {
          since: dateTime,
          until: dateTime,
          truncated: { type: 'boolean', description: 'More flows matched than the limit: the most recently seen are listed' },
          rows: {
            type: 'array',
            items: {
              type: 'object',
              required: ['policy', 'direction', 'src', 'dst', 'port', 'protocol', 'predicted', 'observed', 'outcome', 'explanation', 'firstSeen', 'lastSeen'],
              properties: {
                policy: { type: 'object', properties: { uid: str, namespace: str, name: str, generation: int } },
                direction: { enum: ['Ingress', 'Egress'], description: 'Where the flow was seen: Egress at the source, Ingress at the destination' },
                src: verdictEnd,
                dst: verdictEnd,
                port: int,
                protocol: str,
                predicted: { enum: ['Allow', 'Deny'] },
                observed: { type: 'object', properties: { established: int, attempt: int, refused: int, seen: int }, description: 'Conversations in each connection state' },
                outcome: {
                  enum: ['Agrees', 'NotEnforced', 'DroppedElsewhere', 'Inconclusive'],
                  description: 'NotEnforced: denied yet established (or UDP delivered); DroppedElsewhere: allowed yet 3 or more failed attempts and none established',
                },
                explanation: str,
                firstSeen: str,
                lastSeen: str,
              },
            },
          },
        },
      },
      Verdict: {
        type: 'object',
        properties: {
          id: int,
          observedAt: { type: 'string', description: "The flow's time (a replayed verdict: the latest observation it sums)" },
          evaluatedAt: str,
          flowId: { type: 'integer', description: 'The flow row judged; 0 for a replayed verdict that sums one flow over a replay bucket' },
          policy: { type: 'object', properties: { uid: str, kind: str, namespace: str, name: str, generation: int } },
          direction: { enum: ['Ingress', 'Egress'] },
          verdict: { enum: ['Allow', 'WouldDeny'] },
          src: verdictEnd,
          dst: verdictEnd,
          port: int,
          protocol: str,
          reason: str,
          count: int,
          state: {
            enum: ['established', 'attempt', 'refused', 'seen', 'unknown'],
            description: "The judged flow's connection state: TCP established, attempt (never established), refused (reset), UDP seen; unknown for verdicts stored before the broker kept it",
          },
        },
      },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/v1/flows': {
      post: {
        summary: 'Store a batch of flow observations (idempotent per node and batchId)',
        requestBody: { required: true, content: { 'application/json': { schema: ref('FlowBatch') } } },
        responses: {
          '200': json({ type: 'object', properties: { batchId: str, duplicate: { type: 'boolean' }, observations: int, rows: int } }),
          ...errors,
          ...bodyErrors,
          '413': { description: 'Body larger than 10,240,000 bytes (9.8 MiB), also once decompressed, or holding more than 160,016 JSON objects and arrays', content: { 'application/json': { schema: ref('Error') } } },
        },
      },
      get: {
        summary: 'Recorded flows in id order, for replay',
        parameters: [q('since', time), q('until', time, 'Must be after since (else 400)'), q('cursor', id, 'nextCursor of the previous page'), q('limit', { type: 'integer', minimum: 1, maximum: 5000, default: 1000 })],
        responses: { '200': json({ type: 'object', properties: { flows: { type: 'array', items: ref('StoredFlow') }, nextCursor: { type: ['integer', 'null'] } } }), ...errors },
      },
    },
    '/v1/replays': {
      post: {
        summary: "Re-judge the recorded flows of [since, now] against one policy generation (the evaluator's leader after an edit)",
        description: 'Needs `create` on replays.kguardian.dev. The same uid and generation again returns the existing job (a Failed one runs again).',
        requestBody: { required: true, content: { 'application/json': { schema: ref('ReplayRequest') } } },
        responses: {
          '202': json(ref('Replay'), 'Job created, state Running'),
          '200': json(ref('Replay'), 'The existing job for this uid and generation'),
          ...errors,
          ...bodyErrors,
          '413': { description: 'Body larger than 64 KiB, also once decompressed, or holding more than 64 JSON objects and arrays', content: { 'application/json': { schema: ref('Error') } } },
        },
      },
    },
    '/v1/enforcement': {
      get: {
        summary: "The enforced NetworkPolicies' predictions against the connection states the agents saw, per flow and policy (kubectl kguardian verify)",
        description: 'Needs `get` on auditverdicts.kguardian.dev in the namespace asked for (cluster-wide without one). Rows are the most recently seen flows first.',
        parameters: [
          q('namespace', name, 'NetworkPolicy namespace'),
          q('policy', name, 'NetworkPolicy name'),
          q('since', time, 'Observed at or after (default: an hour ago); within the verdict retention (else 400)'),
          q('until', time, 'Observed before (default: now); must be after since (else 400)'),
          q('mismatches', { enum: ['true', 'false'], default: 'false' }, 'true: only NotEnforced and DroppedElsewhere rows'),
          q('limit', { type: 'integer', minimum: 1, maximum: 10000, default: 1000 }),
        ],
        responses: { '200': json(ref('EnforcementReport')), ...errors },
      },
    },
    '/v1/replays/{id}': {
      get: {
        summary: 'A replay job: progress and final state',
        description: 'Needs `get` on replays.kguardian.dev.',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 999_999_999_999_999 } }],
        responses: { '200': json(ref('Replay')), '404': { description: 'No such job', content: { 'application/json': { schema: ref('Error') } } }, ...errors },
      },
    },
    '/audit/verdicts': {
      get: {
        summary: 'Verdicts, ordered (observed_at DESC, id DESC)',
        parameters: [...verdictFilter, q('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }), q('before_id', { ...id, minimum: 1 }, 'nextBeforeId of the previous page; the id of a verdict not stored (never, or expired) is a 400')],
        responses: { '200': json({ type: 'object', properties: { verdicts: { type: 'array', items: ref('Verdict') }, nextBeforeId: { type: ['integer', 'null'] } } }), ...errors },
      },
    },
    '/audit/verdicts/stream': {
      get: {
        summary: 'New verdicts as server-sent events (event `verdict`, id = verdict id); resumes after Last-Event-ID',
        description: 'Each event is one of the schemas below (its `data` a JSON text); comment lines (`: keep-alive`) and a `retry:` line carry no event. At most STREAM_MAX_CLIENTS streams at once (503 past it).',
        parameters: [
          ...verdictFilter,
          q('after_id', id, 'Start after this id (0: everything kept); Last-Event-ID wins'),
          { name: 'Last-Event-ID', in: 'header', schema: { type: 'string', pattern: '^\\s*\\d{1,16}\\s*$' } },
        ],
        responses: {
          '200': {
            description: 'text/event-stream of verdict events, and an error event before the server ends a stream on a failure',
            content: {
              'text/event-stream': {
                schema: {
                  oneOf: [
                    {
                      type: 'object',
                      required: ['event', 'id', 'data'],
                      properties: { event: { const: 'verdict' }, id: { type: 'string', pattern: '^\\d+$' }, data: { type: 'string', contentMediaType: 'application/json', contentSchema: ref('Verdict') } },
                    },
                    {
                      type: 'object',
                      required: ['event', 'data'],
                      properties: { event: { const: 'error' }, data: { type: 'string', contentMediaType: 'application/json', contentSchema: ref('Error') } },
                    },
                  ],
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    '/audit/summary': {
      get: {
        summary: 'Allow and WouldDeny counts and top offenders over a window',
        parameters: [
          q('policy', name, 'Policy name'),
          q('namespace', { ...name, pattern: '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$' }, 'Policy namespace; present and empty selects cluster-scoped policies'),
          q('uid', uid, 'Exact policy uid'),
          q('generation', { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, 'Exact policy generation (requires uid, else 400)'),
          q('window', { ...windowDuration, default: '1h' }, 'Duration such as 15m, 1h30m, 24h; more than 0 and at most the verdict retention (else 400)'),
          q('top', { type: 'integer', minimum: 1, maximum: 100, default: 10 }),
        ],
        responses: { '200': json(ref('Summary')), ...errors },
      },
    },
    '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': json({ type: 'object', required: ['status'], properties: { status: { const: 'ok' } } }) } } },
    '/readyz': {
      get: {
        summary: 'Readiness: database reachable',
        security: [],
        responses: {
          '200': json({ type: 'object', required: ['status', 'engine'], properties: { status: { const: 'ready' }, engine: { enum: ['postgres', 'pglite'] } } }, 'Ready'),
          '503': json(ref('Error'), 'Database unavailable'),
        },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text/plain' } } } },
    '/openapi.json': {
      get: {
        summary: 'This document (any valid bearer token)',
        responses: { '200': json(
          { type: 'object', required: ['openapi', 'info', 'paths'], properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } }, additionalProperties: true },
          'OpenAPI 3.1',
        ), '401': errors['401'] },
      },
    },
  },
} as const;
