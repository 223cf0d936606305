/**
 * NetworkPolicy ports, compiled into explicit variants so the evaluator never reinterprets
 * raw YAML:
 *
 * | raw `ports`                         | compiled                                  |
 * |-------------------------------------|-------------------------------------------|
 * | omitted or `[]`                     | any (every protocol, every port)          |
 * | `{}`                                | protocol TCP (default), every port        |
 * | `{protocol: UDP}`                   | protocol UDP, every port                  |
 * | `{port: 80}`                        | number TCP/80                             |
 * | `{port: 80, endPort: 90}`           | range TCP/80-90 (inclusive)               |
 * | `{port: "http"}`                    | named: resolved on the destination pod    |
 * | `{port: "http", endPort: 90}`       | invalid: endPort needs a numeric port     |
 */
import type { ContainerPort, Protocol } from './types.js';
import { PROTOCOLS } from './types.js';
import { show, type ProblemList } from './errors.js';

export type PortMatch =
  | { kind: 'protocol'; protocol: Protocol }
  | { kind: 'number'; protocol: Protocol; port: number }
  | { kind: 'range'; protocol: Protocol; from: number; to: number }
  | { kind: 'named'; protocol: Protocol; name: string };

export type PortList = { kind: 'any' } | { kind: 'ports'; ports: readonly PortMatch[] };

export const ANY_PORT: PortList = { kind: 'any' };

// IANA_SVC_NAME: 1-15 lowercase alphanumerics or '-', at least one letter, no leading, trailing or double '-'.
const SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export function isValidPortName(name: string): boolean {
  return name.length <= 15 && SVC_NAME.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

function isPortNumber(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

function compileProtocol(raw: unknown, path: string, problems: ProblemList): Protocol {
  if (raw === undefined || raw === null) return 'TCP';
  if (typeof raw !== 'string' || !PROTOCOLS.includes(raw as Protocol)) {
    problems.error(path, 'protocol', show(raw));
    return 'TCP';
  }
  return raw as Protocol;
}

function compileOne(raw: unknown, path: string, problems: ProblemList): PortMatch | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.error(path, 'type', 'each port must be an object');
    return undefined;
  }
  const { protocol: rawProtocol, port, endPort } = raw as Record<string, unknown>;
  const protocol = compileProtocol(rawProtocol, `${path}.protocol`, problems);
  const hasEnd = endPort !== undefined && endPort !== null;
  if (port === undefined || port === null) {
    if (hasEnd) problems.error(`${path}.endPort`, 'endPort', 'endPort may only be set together with a numeric port');
    return { kind: 'protocol', protocol };
  }
  if (typeof port === 'string') {
    if (hasEnd) problems.error(`${path}.endPort`, 'endPort', 'endPort may only be set when port is a number, not a name');
    if (!isValidPortName(port)) problems.error(`${path}.port`, 'port', port);
    return { kind: 'named', protocol, name: port };
  }
  if (!isPortNumber(port)) {
    problems.error(`${path}.port`, 'port', show(port));
    return undefined;
  }
  if (!hasEnd) return { kind: 'number', protocol, port };
  if (!isPortNumber(endPort)) {
    problems.error(`${path}.endPort`, 'endPort', `${show(endPort)} is not a valid end port: use a number from 1 to 65535`);
    return undefined;
  }
  if (endPort < port) {
    problems.error(`${path}.endPort`, 'endPort', `endPort ${endPort} must be greater than or equal to port ${port}`);
    return undefined;
  }
  return { kind: 'range', protocol, from: port, to: endPort };
}

export function compilePorts(raw: unknown, path: string, problems: ProblemList): PortList {
  if (raw === undefined || raw === null) return ANY_PORT;
  if (!Array.isArray(raw)) {
    problems.error(path, 'type', 'ports must be a list');
    return ANY_PORT;
  }
  if (raw.length === 0) return ANY_PORT;
  const ports: PortMatch[] = [];
  raw.forEach((p, i) => {
    const m = compileOne(p, `${path}[${i}]`, problems);
    if (m) ports.push(m);
  });
  return { kind: 'ports', ports };
}

/**
 * Does one port entry admit the flow? Named ports resolve against the destination pod's
 * declared container ports: name, protocol and number must all line up, so a name declared
 * for TCP never matches a UDP flow.
 */
export function portMatches(m: PortMatch, protocol: Protocol, port: number, dstPorts: readonly ContainerPort[] | undefined): boolean {
  if (m.protocol !== protocol) return false;
  switch (m.kind) {
    case 'protocol':
      return true;
    case 'number':
      return m.port === port;
    case 'range':
      return port >= m.from && port <= m.to;
    case 'named':
      if (!dstPorts) return false;
      for (const c of dstPorts) if (c.name === m.name && c.protocol === protocol && c.containerPort === port) return true;
      return false;
  }
}

export function portListMatches(list: PortList, protocol: Protocol, port: number, dstPorts: readonly ContainerPort[] | undefined): boolean {
  if (list.kind === 'any') return true;
  for (const m of list.ports) if (portMatches(m, protocol, port, dstPorts)) return true;
  return false;
}

export function describePort(m: PortMatch): string {
  switch (m.kind) {
    case 'protocol':
      return `any/${m.protocol}`;
    case 'number':
      return `${m.port}/${m.protocol}`;
    case 'range':
      return `${m.from}-${m.to}/${m.protocol}`;
    case 'named':
      return `${m.name}/${m.protocol}`;
  }
}

const listText = new WeakMap<PortList, string>();

/** Memoized: reasons quote the same compiled lists on every flow. */
export function describePortList(list: PortList): string {
  let text = listText.get(list);
  if (text === undefined) {
    text = list.kind === 'any' ? 'any port' : list.ports.map(describePort).join(', ');
    listText.set(list, text);
  }
  return text;
}
