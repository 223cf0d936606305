/**
 * The page shell: reads the session (which namespace the page shows), then renders the view the
 * URL names, again on every navigation. Errors (a 403 from the broker for a namespace the user
 * may not read, an unreachable proxy) are shown in words in place of the view. The first view's
 * reads start with the session's, not after it (api.ts prime): the first paint waits for one
 * round of reads.
 */
import { ApiError, dropPrimed, getJson, prime } from './api.js';
import { UI_API, type UiSession } from '../../../../contracts/web-view.js';
import { el, replace } from './dom.js';
import { renderPolicies } from './policies-view.js';
import { primePolicy, renderPolicy } from './policy-view.js';
import { readState } from './state.js';
import type { ViewContext } from './view-context.js';

let leave: (() => void)[] = [];
let session: UiSession | undefined;
let rendered = false;

function showError(root: HTMLElement, e: unknown): void {
  const status = e instanceof ApiError ? ` (HTTP ${e.status})` : '';
  replace(root, el('div', { class: 'error', role: 'alert' }, el('h1', {}, 'Could not load this view'), el('p', {}, `${(e as Error).message}${status}`)));
}

function render(): void {
  for (const fn of leave) fn();
  leave = [];
  // What boot() started is for the first view only; a later one reads afresh.
  if (rendered) dropPrimed();
  rendered = true;
  const root = document.getElementById('app');
  if (!root || !session) return;
  const ctx: ViewContext = {
    session,
    go: (search) => {
      history.pushState(null, '', search);
      render();
    },
    onLeave: (fn) => leave.push(fn),
  };
  const s = readState(location.search);
  const shown = s.view === 'policies' ? renderPolicies(root, ctx) : renderPolicy(root, s, ctx);
  shown.catch((e: unknown) => {
    if ((e as Error).name !== 'AbortError') showError(root, e);
  });
}

async function boot(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
  const first = readState(location.search);
  prime(UI_API.session);
  if (first.view === 'policies') prime(UI_API.policies);
  else primePolicy(first);
  try {
    session = await getJson<UiSession>(UI_API.session);
  } catch (e) {
    showError(root, e);
    return;
  }
  const scope = document.getElementById('scope');
  if (scope) scope.textContent = `${session.context} · ${session.namespace === null ? 'all namespaces' : `namespace ${session.namespace}`}`;
  window.addEventListener('popstate', render);
  render();
}

void boot();
