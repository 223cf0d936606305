/** The promotion panel: the gate's answer with its reasons, and the exact command to copy. */
import type { UiPolicy } from '../../../../contracts/web-view.js';
import { el } from './dom.js';

export function promotionPanel(p: UiPolicy): HTMLElement {
  const code = el('code', { id: 'promote-command' }, p.promoteCommand);
  const copy = el('button', { type: 'button', class: 'copy' }, 'Copy');
  const status = el('span', { class: 'muted small', role: 'status' });
  copy.addEventListener('click', () => {
    navigator.clipboard.writeText(p.promoteCommand).then(
      () => (status.textContent = 'copied'),
      () => {
        const range = document.createRange();
        range.selectNodeContents(code);
        getSelection()?.removeAllRanges();
        getSelection()?.addRange(range);
        status.textContent = 'selected: press Ctrl-C to copy';
      },
    );
  });
  return el(
    'section',
    { class: p.safe ? 'promotion ok' : 'promotion deny', 'aria-labelledby': 'promotion-title' },
    el('h2', { id: 'promotion-title' }, p.safe ? '✓ Safe to promote' : '✕ Not safe to promote'),
    p.problems.length > 0 ? el('ul', {}, ...p.problems.map((x) => el('li', {}, x))) : null,
    p.warnings.length > 0 ? el('ul', { class: 'warnings' }, ...p.warnings.map((x) => el('li', {}, `warning: ${x}`))) : null,
    el('div', { class: 'command' }, el('pre', {}, code), copy, status),
  );
}
