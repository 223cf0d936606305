/** The output formats of promote (kept apart from output.ts so flag parsing never loads js-yaml). */
export type PromoteOutput = 'yaml' | 'json' | 'name';
export const PROMOTE_OUTPUTS: readonly PromoteOutput[] = ['yaml', 'json', 'name'];
/** What --output-dir can write: whole objects. */
export type FileFormat = Exclude<PromoteOutput, 'name'>;

/** kubectl's `-o name` form: RESOURCE.GROUP/NAME, without the namespace. */
export const NETWORK_POLICY_RESOURCE = 'networkpolicy.networking.k8s.io';
