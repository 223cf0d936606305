/**
 * The plugin's version: stamped into the bundle by scripts/build-plugin.sh (esbuild --define)
 * from package.json; "dev" when run from source.
 */
declare const KGUARDIAN_VERSION: string | undefined;

export const VERSION: string = typeof KGUARDIAN_VERSION === 'string' ? KGUARDIAN_VERSION : 'dev';
