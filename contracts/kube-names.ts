/**
 * Kubernetes object names as the API server validates them, written once for every schema that
 * takes one: a DNS-1123 subdomain (pod and node names), a DNS-1123 label (namespace names) and the
 * subdomain prefix of a qualified name (label keys, condition types). The pattern strings are for
 * JSON Schema, OpenAPI and CRD documents; the expressions for code (the policy engine's label-key
 * check included).
 */

// Unanchored, to build the larger patterns from: a subdomain is labels joined by dots.
const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;

export const DNS_SUBDOMAIN_PATTERN = `^${SUBDOMAIN}$`;
export const DNS_LABEL_PATTERN = `^${LABEL}$`;

/** A DNS-1123 subdomain: pod, node and most object names (at most 253 characters, checked apart). */
export const DNS_SUBDOMAIN = new RegExp(DNS_SUBDOMAIN_PATTERN);
/** A DNS-1123 label: namespace names (at most 63 characters, checked apart). */
export const DNS_LABEL = new RegExp(DNS_LABEL_PATTERN);

/**
 * The optional prefix of a qualified name (a label key, a condition type): a DNS-1123 subdomain and
 * "/". Unanchored: each pattern that takes one adds its own name part after it, as upstream does.
 */
export const QUALIFIED_NAME_PREFIX_PATTERN = `(${SUBDOMAIN}/)?`;
