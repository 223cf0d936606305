/**
 * A named subset of the corpus (KG_ENFORCEMENT_SCENARIOS=u43,r001): a disagreement of the report replayed
 * alone, on a cluster of its own, in the corpus's order.
 */
import type { ScenarioDef } from './types.js';

export function selectScenarios(list: string, from: readonly ScenarioDef[]): ScenarioDef[] {
  const ids = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw new Error(`KG_ENFORCEMENT_SCENARIOS: "${list}": no scenario id (u00 ... u50, r000 ...)`);
  const known = new Set(from.map((s) => s.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new Error(`KG_ENFORCEMENT_SCENARIOS: no scenario ${unknown.join(', ')} in the corpus (u00 ... u50, r000 ... r${String(from.filter((s) => s.source === 'random').length - 1).padStart(3, '0')})`);
  const wanted = new Set(ids);
  return from.filter((s) => wanted.has(s.id));
}
