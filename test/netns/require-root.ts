/**
 * Kernel tests need root (CAP_BPF, CAP_NET_ADMIN, network namespaces). Where they cannot run
 * they must say so loudly and fail, never pass or skip silently.
 */
export function requireRoot(what: string): void {
  if (process.getuid?.() === 0) return;
  const message = `\n!!!!!!!!\n!! ${what} need root (eBPF, network namespaces) and are NOT running as uid ${process.getuid?.() ?? '?'}.\n!! Run them as root: sudo npx vitest run --project kernel\n!!!!!!!!\n`;
  process.stderr.write(message);
  throw new Error(`${what} need root`);
}
