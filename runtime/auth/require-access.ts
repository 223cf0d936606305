/**
 * Middleware that admits a request only with a bearer token whose owner may do `access`:
 * 401 without a (valid) token, 403 when the token is valid but not allowed. The access can
 * depend on the request (a namespaced query is checked in that namespace).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { HttpError } from '../http-error.js';
import type { Access, Authenticator, Identity } from './types.js';

export type AuthEnv = { Variables: { identity: Identity } };

/** The bearer token of a request, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** The caller's identity from its bearer token: 401 without one or with one the authenticator refuses. */
async function identify(auth: Authenticator, c: Context): Promise<Identity> {
  const token = bearerToken(c.req.header('Authorization'));
  if (token === undefined) throw new HttpError(401, 'a bearer token is required', 'Authorization');
  const who = await auth.authenticate(token);
  if (who === null) throw new HttpError(401, 'the bearer token is not valid', 'Authorization');
  return who;
}

const ANONYMOUS: Identity = { username: 'anonymous', groups: [] };

/** Admits any caller with a valid bearer token, whatever it may do (the API description is not a secret, but not public either). */
export function requireIdentity(auth: Authenticator): MiddlewareHandler<AuthEnv> {
  return async function checkIdentity(c, next) {
    c.set('identity', auth.mode === 'none' ? ANONYMOUS : await identify(auth, c));
    return next();
  };
}

export function requireAccess(auth: Authenticator, accessFor: (c: Context) => Access): MiddlewareHandler<AuthEnv> {
  return async function checkAccess(c, next) {
    if (auth.mode === 'none') {
      c.set('identity', ANONYMOUS);
      return next();
    }
    const who = await identify(auth, c);
    const access = accessFor(c);
    if (!(await auth.authorize(who, access))) {
      const where = access.namespace === undefined ? 'cluster-wide' : `in namespace ${access.namespace}`;
      throw new HttpError(403, `${who.username} may not ${access.verb} ${access.resource}.kguardian.dev ${where}`);
    }
    c.set('identity', who);
    return next();
  };
}

/** Read access to verdicts, in the namespace the query names (cluster-wide when it names none). */
export function verdictReadAccess(c: Context): Access {
  const ns = c.req.query('namespace');
  return ns ? { verb: 'get', resource: 'auditverdicts', namespace: ns } : { verb: 'get', resource: 'auditverdicts' };
}
