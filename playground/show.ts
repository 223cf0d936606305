/**
 * What the user sees once the traffic is counted: `kubectl get kganp`, `kubectl kguardian verdicts`
 * and `kubectl kguardian describe`, each printed with the command that produced it, then the fix
 * and the promote command.
 */
import type { Kubectl } from './kubectl.js';
import { show, step } from './log.js';
import { FIXED_POLICY_FILE, POLICY } from './scenario.js';

export interface Shown {
  /** Commands that failed. */
  failed: string[];
}

async function present(kubectl: Kubectl, args: string[], shown: Shown): Promise<string> {
  step(`kubectl ${args.join(' ')}`);
  const r = await kubectl.run(args);
  const text = `${r.stdout}${r.code === 0 ? '' : r.stderr}`;
  show(text.trim() === '' ? '(no output)' : text);
  if (r.code !== 0) shown.failed.push(`kubectl ${args.join(' ')} (exit ${r.code})`);
  return r.stdout;
}

export async function showResults(kubectl: Kubectl, brokerUrl: string): Promise<Shown> {
  const shown: Shown = { failed: [] };
  const ns = POLICY.namespace;
  await present(kubectl, ['get', 'kganp', '-n', ns, '-o', 'wide'], shown);
  await present(kubectl, ['kguardian', 'verdicts', '-n', ns, '--broker-url', brokerUrl], shown);
  await present(kubectl, ['kguardian', 'describe', 'kganp', POLICY.name, '-n', ns, '--broker-url', brokerUrl], shown);
  return shown;
}

/**
 * The commands to try in another shell. The export line carries KGUARDIAN_BROKER_URL as well as
 * KUBECONFIG: the plugin reaches the playground's broker through it (there is no broker Service
 * to port-forward to), so every `kubectl kguardian` command works there as printed.
 */
export function tryItLines(kubeconfig: string, kubectlBinary: string, brokerUrl: string): string[] {
  const fixed = FIXED_POLICY_FILE.replace(/^.*\/playground\//, 'playground/');
  return [
    `export KUBECONFIG=${kubeconfig} PATH=$PWD/bin:$PATH KGUARDIAN_BROKER_URL=${brokerUrl}`,
    `alias kubectl=${kubectlBinary}`,
    `kubectl apply -f ${fixed}`,
    `kubectl get kganp -n ${POLICY.namespace} -o wide -w          # OBSERVED catches up with GENERATION, WOULD-DENY drops to 0`,
    `kubectl kguardian verdicts -n ${POLICY.namespace} --watch`,
    `kubectl kguardian describe kganp ${POLICY.name} -n ${POLICY.namespace}`,
    `kubectl kguardian audit promote ${POLICY.name} -n ${POLICY.namespace}                  # the NetworkPolicy to enforce`,
    `kubectl kguardian audit promote ${POLICY.name} -n ${POLICY.namespace} | kubectl apply -f -`,
  ];
}

export function suggestFix(kubeconfig: string, kubectlBinary: string, brokerUrl: string): void {
  const fixed = FIXED_POLICY_FILE.replace(/^.*\/playground\//, 'playground/');
  step('The mistake: `from: [{podSelector: {app: frontend}}]` means app=frontend pods in namespace shop.');
  step('The frontend runs in namespace web, so all its requests to payments would be denied once enforced.');
  step(`The fix names the namespace in the same peer (namespaceSelector AND podSelector): ${fixed}`);
  show(`diff -u playground/policies/payments-isolation.yaml ${fixed}`);
  step('Try it yourself in another terminal:');
  show(tryItLines(kubeconfig, kubectlBinary, brokerUrl).join('\n'));
}
