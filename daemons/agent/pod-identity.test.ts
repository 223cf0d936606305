import { describe, expect, it } from 'vitest';
import { PodIdentityIndex, type PodAddresses } from './pod-identity.js';

const pod = (name: string, ips: string[], createdMs?: number, over: Partial<PodAddresses> = {}): PodAddresses => ({
  namespace: 'shop',
  name,
  uid: `uid-${name}`,
  hostNetwork: false,
  ips,
  ...(createdMs === undefined ? {} : { createdMs }),
  ...over,
});

describe('PodIdentityIndex', () => {
  it('resolves pod IPs, node IPs, the host namespace and everything else', () => {
    const index = new PodIdentityIndex(['192.168.0.10'], 4026531840);
    index.upsertPod(pod('web', ['10.0.0.5', 'fd00::5']));
    expect(index.resolve('fd00::5')).toEqual({ kind: 'pod', namespace: 'shop', pod: 'web', podUid: 'uid-web' });
    expect(index.resolve('192.168.0.10')).toEqual({ kind: 'node' });
    expect(index.resolve('8.8.8.8')).toEqual({ kind: 'external' });
    expect(index.resolveLocal('10.9.9.9', 4026531840)).toEqual({ kind: 'host' });
    expect(index.resolveLocal('10.9.9.9', 7)).toEqual({ kind: 'unknown' });
  });

  it('does not index hostNetwork pods by IP (they share the node\'s)', () => {
    const index = new PodIdentityIndex(['192.168.0.10']);
    index.upsertPod(pod('agent', ['192.168.0.10'], 1, { hostNetwork: true }));
    expect(index.resolve('192.168.0.10')).toEqual({ kind: 'node' });
  });

  it('follows a pod to its new IPs and forgets it on delete', () => {
    const index = new PodIdentityIndex();
    index.upsertPod(pod('web', ['10.0.0.5']));
    index.upsertPod(pod('web', ['10.0.0.6']));
    expect(index.resolve('10.0.0.5').kind).toBe('external');
    expect(index.resolve('10.0.0.6').pod).toBe('web');
    index.deletePod('uid-web');
    expect(index.resolve('10.0.0.6').kind).toBe('external');
  });

  it.each([
    { title: 'old pod updated after the new one claimed the IP', order: ['old', 'new', 'old'] },
    { title: 'new pod seen first, then the old one (a relist in any order)', order: ['new', 'old'] },
  ])('keeps a reused IP with the newer pod: $title', ({ order }) => {
    const index = new PodIdentityIndex();
    const pods = { old: pod('old', ['10.0.0.7'], 1_000), new: pod('new', ['10.0.0.7'], 5_000) };
    for (const name of order) index.upsertPod(pods[name as 'old' | 'new']);
    expect(index.resolve('10.0.0.7').pod).toBe('new');
    index.deletePod('uid-old');
    expect(index.resolve('10.0.0.7').pod).toBe('new');
  });

  it('hands an IP back to the remaining claimant when its holder goes first', () => {
    const index = new PodIdentityIndex();
    index.upsertPod(pod('old', ['10.0.0.7'], 1_000));
    index.upsertPod(pod('new', ['10.0.0.7'], 5_000));
    index.deletePod('uid-new');
    expect(index.resolve('10.0.0.7').pod).toBe('old');
  });

  it('lets the latest event win between pods of unknown age', () => {
    const index = new PodIdentityIndex();
    index.upsertPod(pod('a', ['10.0.0.8']));
    index.upsertPod(pod('b', ['10.0.0.8']));
    expect(index.resolve('10.0.0.8').pod).toBe('b');
  });
});

describe('PodIdentityIndex: addresses a pod has but does not list (learned by network namespace)', () => {
  const HOST = 4026531840;
  const WEB_NS = 4026532001;
  const DB_NS = 4026532002;
  const linkLocal = 'fe80::8c1:2ff:fe3a:4b5c';
  const ula = 'fd12:3456::99';
  type Step = { local: [ip: string, netns: number] } | { upsert: PodAddresses } | { remove: string };
  const web = pod('web', ['10.0.0.5', 'fd00::5']);
  const db = pod('db', ['10.0.0.6']);

  it.each<{ title: string; steps: Step[]; ask: [ip: string, netns: number]; want: ReturnType<PodIdentityIndex['resolve']> }>([
    { title: 'link-local in a namespace a listed IP showed is that pod', steps: [{ local: ['10.0.0.5', WEB_NS] }], ask: [linkLocal, WEB_NS], want: { kind: 'pod', namespace: 'shop', pod: 'web', podUid: 'uid-web' } },
    { title: 'an unlisted unique-local address too', steps: [{ local: ['fd00::5', WEB_NS] }], ask: [ula, WEB_NS], want: { kind: 'pod', namespace: 'shop', pod: 'web', podUid: 'uid-web' } },
    { title: 'nothing learned yet: unknown, not external', steps: [], ask: [linkLocal, WEB_NS], want: { kind: 'unknown' } },
    { title: 'another namespace learned nothing about this one', steps: [{ local: ['10.0.0.6', DB_NS] }], ask: [linkLocal, WEB_NS], want: { kind: 'unknown' } },
    { title: 'each namespace its own pod', steps: [{ local: ['10.0.0.5', WEB_NS] }, { local: ['10.0.0.6', DB_NS] }], ask: [linkLocal, DB_NS], want: { kind: 'pod', namespace: 'shop', pod: 'db', podUid: 'uid-db' } },
    { title: 'no namespace (UDP records carry none): unknown', steps: [{ local: ['10.0.0.5', WEB_NS] }], ask: [linkLocal, 0], want: { kind: 'unknown' } },
    { title: 'the host namespace is never learned as a pod', steps: [{ local: ['10.0.0.5', HOST] }], ask: [linkLocal, HOST], want: { kind: 'host' } },
    { title: 'kept across the pod\'s updates', steps: [{ local: ['10.0.0.5', WEB_NS] }, { upsert: { ...web, ips: ['10.0.0.5'] } }], ask: [linkLocal, WEB_NS], want: { kind: 'pod', namespace: 'shop', pod: 'web', podUid: 'uid-web' } },
    { title: 'forgotten when the pod goes (inodes are reused)', steps: [{ local: ['10.0.0.5', WEB_NS] }, { remove: 'uid-web' }], ask: [linkLocal, WEB_NS], want: { kind: 'unknown' } },
    { title: 'a reused inode is learned again for its new pod', steps: [{ local: ['10.0.0.5', WEB_NS] }, { remove: 'uid-web' }, { local: ['10.0.0.6', WEB_NS] }], ask: [linkLocal, WEB_NS], want: { kind: 'pod', namespace: 'shop', pod: 'db', podUid: 'uid-db' } },
    { title: 'a listed IP still resolves by IP, whatever the namespace says', steps: [{ local: ['10.0.0.5', WEB_NS] }], ask: ['10.0.0.6', WEB_NS], want: { kind: 'pod', namespace: 'shop', pod: 'db', podUid: 'uid-db' } },
  ])('$title', ({ steps, ask, want }) => {
    const index = new PodIdentityIndex(['192.168.0.10'], HOST);
    index.upsertPod(web);
    index.upsertPod(db);
    for (const step of steps) {
      if ('local' in step) index.resolveLocal(...step.local);
      else if ('upsert' in step) index.upsertPod(step.upsert);
      else index.deletePod(step.remove);
    }
    expect(index.resolveLocal(...ask)).toEqual(want);
    // The remote end has no namespace to go by: an unlisted address stays external there.
    expect(index.resolve(ask[0]).kind).toBe(ask[0] === '10.0.0.6' ? 'pod' : 'external');
  });
});
