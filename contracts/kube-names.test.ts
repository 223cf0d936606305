import { describe, expect, it } from 'vitest';
import { DNS_LABEL, DNS_SUBDOMAIN, QUALIFIED_NAME_PREFIX_PATTERN } from './kube-names.js';

describe('Kubernetes name patterns', () => {
  it.each([
    { name: 'web-1', subdomain: true, label: true },
    { name: 'web-1.prod', subdomain: true, label: false },
    { name: 'a', subdomain: true, label: true },
    { name: 'Web', subdomain: false, label: false },
    { name: '-web', subdomain: false, label: false },
    { name: 'web-', subdomain: false, label: false },
    { name: 'web..prod', subdomain: false, label: false },
    { name: 'web_1', subdomain: false, label: false },
    { name: '', subdomain: false, label: false },
  ])('$name: subdomain $subdomain, label $label', ({ name, subdomain, label }) => {
    expect(DNS_SUBDOMAIN.test(name)).toBe(subdomain);
    expect(DNS_LABEL.test(name)).toBe(label);
  });
});

describe('the qualified-name prefix', () => {
  const prefixed = new RegExp(`^${QUALIFIED_NAME_PREFIX_PATTERN}name$`);
  it.each([
    { key: 'name', ok: true },
    { key: 'example.com/name', ok: true },
    { key: 'kubernetes.io/name', ok: true },
    { key: 'Example.com/name', ok: false },
    { key: '/name', ok: false },
    { key: 'a..b/name', ok: false },
    { key: 'a/b/name', ok: false },
  ])('$key: $ok', ({ key, ok }) => {
    expect(prefixed.test(key)).toBe(ok);
  });
});
