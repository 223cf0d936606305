/**
 * One status, three readers: the CRDs as applied to clusters carry exactly this schema, and the
 * evaluator's status document and the plugin's view of the objects are typed from it.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { PolicyStatus, StatusOffender as EvaluatorOffender } from '../daemons/evaluator/status/status-document.js';
import type { AuditStatus, Offender as PluginOffender } from '../plugin/kube/objects.js';
import { AUDIT_POLICY_STATUS_SCHEMA, type AuditPolicyStatus, type StatusOffender } from './audit-policy-status.js';

interface Crd {
  spec: { versions: { schema: { openAPIV3Schema: { properties: { status: unknown } } } }[] };
}

describe('the audit policy status contract', () => {
  it.each(['auditnetworkpolicies.yaml', 'auditclusternetworkpolicies.yaml'])('is the status schema of crds/%s', (file) => {
    const crd = yaml.load(readFileSync(new URL(`../crds/${file}`, import.meta.url), 'utf8')) as Crd;
    const status = crd.spec.versions.map((v) => v.schema.openAPIV3Schema.properties.status);
    expect(status).toEqual([JSON.parse(JSON.stringify(AUDIT_POLICY_STATUS_SCHEMA))]);
  });

  it('types what the evaluator writes and what the plugin reads', () => {
    expectTypeOf<PolicyStatus>().toExtend<AuditPolicyStatus>();
    expectTypeOf<EvaluatorOffender>().toEqualTypeOf<StatusOffender>();
    expectTypeOf<AuditStatus>().toEqualTypeOf<AuditPolicyStatus>();
    expectTypeOf<PluginOffender>().toEqualTypeOf<StatusOffender>();
    // Derived from the schema: its enums and required fields.
    expectTypeOf<StatusOffender['protocol']>().toEqualTypeOf<'TCP' | 'UDP' | 'SCTP'>();
    expectTypeOf<StatusOffender['count']>().toEqualTypeOf<number>();
    expectTypeOf<AuditPolicyStatus['observedGeneration']>().toEqualTypeOf<number | undefined>();
  });
});
