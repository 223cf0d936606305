/** The output formats of promote (kept apart from output.ts so flag parsing never loads js-yaml). */
export type PromoteOutput = 'yaml' | 'json';
export const PROMOTE_OUTPUTS: readonly PromoteOutput[] = ['yaml', 'json'];
