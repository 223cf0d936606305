/**
 * The generation the model holds of each policy, by uid: what `only` is checked against, and,
 * for the audit kinds, what the status writer reconciles. Listeners hear of an audit policy
 * when it appears, when its generation moves and when it goes; a status write (same
 * generation) is not a change, so writing status never loops back into a reconcile.
 */
import type { PolicyKind } from '../../../policy/index.js';
import type { AuditPolicyVersion } from './model-types.js';

export interface HeldPolicy {
  kind: PolicyKind;
  namespace: string;
  name: string;
  generation: number;
  problems: string[];
}

type Listener = (p: AuditPolicyVersion, deleted: boolean) => void;

function isAudit(kind: PolicyKind): kind is AuditPolicyVersion['kind'] {
  return kind !== 'NetworkPolicy';
}

function toVersion(uid: string, p: HeldPolicy & { kind: AuditPolicyVersion['kind'] }): AuditPolicyVersion {
  return { uid, kind: p.kind, namespace: p.namespace, name: p.name, generation: p.generation, problems: [...p.problems] };
}

export class PolicyVersions {
  private readonly byUid = new Map<string, HeldPolicy>();
  private readonly listeners = new Set<Listener>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => undefined) {}

  get(uid: string): HeldPolicy | undefined {
    return this.byUid.get(uid);
  }

  /** True when the model already holds this uid at this generation (nothing to recompile). */
  holds(uid: string, generation: number): boolean {
    return this.byUid.get(uid)?.generation === generation;
  }

  set(uid: string, held: HeldPolicy): void {
    const before = this.byUid.get(uid);
    this.byUid.set(uid, held);
    if (before?.generation !== held.generation) this.tell(uid, held, false);
  }

  delete(uid: string): void {
    const held = this.byUid.get(uid);
    if (!held) return;
    this.byUid.delete(uid);
    this.tell(uid, held, true);
  }

  audit(): AuditPolicyVersion[] {
    const out: AuditPolicyVersion[] = [];
    for (const [uid, p] of this.byUid) if (isAudit(p.kind)) out.push(toVersion(uid, { ...p, kind: p.kind }));
    return out;
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private tell(uid: string, held: HeldPolicy, deleted: boolean): void {
    if (!isAudit(held.kind)) return;
    const version = toVersion(uid, { ...held, kind: held.kind });
    for (const l of this.listeners) {
      // A listener's failure is its own: the model and the other listeners carry on.
      try {
        l(version, deleted);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}
