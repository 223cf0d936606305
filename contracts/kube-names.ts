/**
 * Kubernetes object names as the API server validates them, written once for every schema that
 * takes one: a DNS-1123 subdomain (pod and node names) and a DNS-1123 label (namespace names).
 * The pattern strings are for JSON Schema and OpenAPI documents; the expressions for code.
 */

export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** A DNS-1123 subdomain: pod, node and most object names (at most 253 characters, checked apart). */
export const DNS_SUBDOMAIN = new RegExp(DNS_SUBDOMAIN_PATTERN);
/** A DNS-1123 label: namespace names (at most 63 characters, checked apart). */
export const DNS_LABEL = new RegExp(DNS_LABEL_PATTERN);
