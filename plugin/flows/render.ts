/** How an export is written: the JSON Lines as they are, or wrapped for -o json|yaml (flows/export.ts). */
import { dump } from 'js-yaml';
import type { ExportOutput } from './export.js';

/** The export in `output`, from the JSON Lines (one flow a line, already sorted). */
export function renderExport(lines: string, output: ExportOutput): string {
  if (output === 'jsonl') return lines === '' ? '' : lines + '\n';
  const flows = lines === '' ? [] : lines.split('\n').map((l) => JSON.parse(l) as unknown);
  return output === 'json' ? JSON.stringify({ flows }, null, 2) + '\n' : dump({ flows }, { noRefs: true, lineWidth: -1 });
}
