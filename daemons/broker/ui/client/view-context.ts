/** What every view gets from the page shell. */
import type { UiSession } from '../../../../contracts/web-view.js';

export interface ViewContext {
  session: UiSession;
  /** Navigates within the page (pushState) and renders the new state. */
  go: (search: string) => void;
  /** Registers what to undo when the view is left (close a stream). */
  onLeave: (fn: () => void) => void;
}
