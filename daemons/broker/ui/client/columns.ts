/**
 * The verdict table's columns, shared by the table and the live tail. A row whose connection was
 * tried and failed (refused, or never answered) is marked in its State cell by a cross, words and
 * style, so an Allow of it does not read as working traffic.
 */
import type { StoredVerdict } from '../../../../contracts/web-view.js';
import { failedConnection, stateText } from './connection.js';
import { count, portText, time } from './format.js';
import { endText } from './state.js';
import type { Column } from './virtual-table.js';

export const VERDICT_COLUMNS: readonly Column<StoredVerdict>[] = [
  { title: 'Observed', cell: (v) => time(v.observedAt), className: 'c-time' },
  { title: 'Verdict', cell: (v) => (v.verdict === 'WouldDeny' ? '✕ WouldDeny' : '✓ Allow'), className: 'c-verdict' },
  { title: 'State', cell: (v) => stateText(v.state), className: 'c-state', cellClass: (v) => (failedConnection(v.state) ? 'failed' : undefined) },
  { title: 'Dir', cell: (v) => v.direction, className: 'c-dir' },
  { title: 'Source', cell: (v) => endText(v.src), className: 'c-end' },
  { title: 'Destination', cell: (v) => endText(v.dst), className: 'c-end' },
  { title: 'Port', cell: portText, className: 'c-port' },
  { title: 'Count', cell: (v) => count(v.count), className: 'c-num' },
  { title: 'Gen', cell: (v) => String(v.policy.generation), className: 'c-num' },
  { title: 'Reason', cell: (v) => v.reason, className: 'c-reason' },
];
