// What Download Model from Hugging Face shows before the downloaded model is used: its family, its
// labels and its size (MB on disk; for an fp32 or fp16 graph also about how many parameters, which
// its weight bytes give: 4 or 2 bytes each). Made from the worker's check of the download
// (ClassifierClient.checkModel), not from a second look at the files. No `vscode` import.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeCheck } from '../classifier/checkSummary';
import { directoryBytes, megabytes } from '../classifier/fileSizes';
import type { ModelCheck } from '../classifier/types';

export interface DownloadSummary {
  repoId: string;
  family: string | null;
  problemType: string | null;
  labels: string[];
  /** All downloaded files. */
  bytesOnDisk: number;
  /** Estimated from the graph's size for fp32 and fp16 graphs; undefined for quantized ones (their bytes per weight vary). */
  parameters?: number;
  /** The lines the confirmation shows. */
  text: string;
}

const bytesPerWeight: Record<string, number> = { fp32: 4, fp16: 2 };

export function summarizeDownload(repoId: string, dir: string, check: ModelCheck): DownloadSummary {
  const bytesOnDisk = directoryBytes(dir);
  const perWeight = check.variant ? bytesPerWeight[check.variant.name] : undefined;
  const graphBytes = check.variant ? [check.variant.file, ...check.external_data].reduce((sum, file) => sum + fileBytes(dir, file), 0) : 0;
  const parameters = perWeight && graphBytes > 0 ? Math.round(graphBytes / perWeight) : undefined;
  const labels = check.problem_type === 'regression' ? `${check.labels.join(', ')} (regression: values, not probabilities)` : check.labels.join(', ');
  const text = [
    `Family: ${describeCheck(check)}`,
    `Labels: ${labels || 'none'}`,
    `Size: ${megabytes(bytesOnDisk)} on disk${parameters ? `, about ${millions(parameters)} parameters` : ''}`,
  ].join('\n');
  return { repoId, family: check.family, problemType: check.problem_type, labels: check.labels, bytesOnDisk, parameters, text };
}

/** A file the check names, relative to the model directory. */
function fileBytes(dir: string, file: string): number {
  const full = path.join(dir, file);
  return fs.existsSync(full) ? fs.statSync(full).size : 0;
}

function millions(count: number): string {
  return count >= 1e6 ? `${(count / 1e6).toFixed(1)} M` : count >= 1e3 ? `${Math.round(count / 1e3)} k` : String(count);
}
