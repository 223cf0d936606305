/**
 * Notes on stderr (why a flow mismatched, counts, progress): wrapped to stderr's width like the
 * tables, or left on one line when there is no width, so a redirected stderr stays greppable.
 */
import { wrapLine } from './table.js';
import { UNLIMITED } from './width.js';

/** How far a note's continuation lines are indented, so each note reads apart from the next. */
const NOTE_HANG = 4;

/** One note for stderr in `width` (width.ts errorWidth); with no width, `text` as it is on one line. */
export function noteLine(text: string, width: number): string {
  return width === UNLIMITED ? `${text}\n` : wrapLine('', text, width, NOTE_HANG);
}
