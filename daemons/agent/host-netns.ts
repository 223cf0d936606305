/**
 * The inode of the network namespace this process runs in: the agent runs in the host's (a
 * hostNetwork DaemonSet), so a local socket in this namespace is a host-network end, kind `host`
 * (pod-identity.ts). /proc/self/ns/net is a magic link to an nsfs file: reading it fails (EINVAL);
 * stat follows it and gives the namespace's inode, the number the kernel programs report.
 */
import { statSync } from 'node:fs';

/** 0 when it cannot be known (no /proc): local ends are then never stamped `host`. */
export function hostNetnsInode(path = '/proc/self/ns/net'): number {
  try {
    return statSync(path).ino;
  } catch {
    return 0;
  }
}
