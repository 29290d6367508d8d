// MODEL_CARD.md of a model trained here: where it came from, what it was trained and tested on, how
// well it did, and what it inherits from its base model.
import type { SplitMetrics } from './evaluation';
import type { TrainingMetadata } from './modelDirectory';
import { formatPercent } from './progress';

export interface CardInput {
  name: string;
  metadata: TrainingMetadata;
  labels: string[];
  multiLabel: boolean;
  labelCounts: Record<'train' | 'validation' | 'test', Map<string, number>>;
  validation: SplitMetrics;
  test: SplitMetrics;
  baseModelName: string;
  baseMaxTokens: number;
  /** Rows of the dataset files that could not be read (empty text, malformed…). */
  skippedRows: number;
  hasManifest: boolean;
}

export function modelCard(input: CardInput): string {
  const { metadata, test } = input;
  const method =
    metadata.method === 'linear-head'
      ? 'a linear head trained on the frozen encoder of the base model (the encoder weights are unchanged; only the classifier layer is new)'
      : metadata.settings.init === 'scratch'
        ? 'a new BERT model trained on this dataset alone with PyTorch (vocabulary learned from its training texts)'
        : 'the whole base model fine-tuned with PyTorch (every weight trained, new classifier layer)';
  const lines = [
    `# ${input.name}`,
    '',
    `${input.multiLabel ? 'Multi-label' : 'Single-label'} text classifier for ${input.labels.map((label) => `\`${label}\``).join(', ')}, ` +
      `trained with Local Text Classifier on ${metadata.trained_at.slice(0, 10)}: ${method}.`,
    '',
    '## Data',
    '',
    `- Dataset: \`${metadata.dataset}\``,
    `- Split: ${metadata.split}${input.hasManifest ? ' (the rows of each split are in training-manifest.json)' : ''}`,
    ...(input.skippedRows > 0 ? [`- ${input.skippedRows} rows of the files were skipped (unreadable, empty text or no label); the training log lists them`] : []),
    '',
    '| label | train | validation | test |',
    '| --- | ---: | ---: | ---: |',
    ...input.labels.map(
      (label) => `| ${label} | ${input.labelCounts.train.get(label) ?? 0} | ${input.labelCounts.validation.get(label) ?? 0} | ${input.labelCounts.test.get(label) ?? 0} |`,
    ),
    '',
    '## Results',
    '',
    `Test split (${test.rows} examples, never seen in training or model selection): **accuracy ${formatPercent(test.accuracy)}**, macro-F1 ${formatPercent(test.macroF1)}. ` +
      `Validation split: accuracy ${formatPercent(input.validation.accuracy)}, macro-F1 ${formatPercent(input.validation.macroF1)}.`,
    '',
    '| label | precision | recall | F1 | test examples |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...test.perLabel.map((m) => `| ${m.label} | ${formatPercent(m.precision)} | ${formatPercent(m.recall)} | ${formatPercent(m.f1)} | ${m.support} |`),
    '',
  ];
  if (test.confusion) {
    lines.push(
      'Confusion matrix on the test split (rows: true label, columns: predicted):',
      '',
      `| | ${input.labels.join(' | ')} |`,
      `| --- |${input.labels.map(() => ' ---: |').join('')}`,
      ...test.confusion.map((row, gold) => `| **${input.labels[gold]}** | ${row.join(' | ')} |`),
      '',
    );
  }
  lines.push(
    '## Training',
    '',
    `- Base model: \`${metadata.base_model}\``,
    `- Method: ${metadata.method}; seed ${metadata.seed}`,
    ...Object.entries(metadata.settings)
      .filter(([key]) => key !== 'candidates')
      .map(([key, value]) => `- ${key.replace(/_/g, ' ')}: ${String(value)}`),
    '',
    '## Use and limits',
    '',
    metadata.method === 'pytorch' && metadata.settings.init === 'scratch'
      ? '- Its vocabulary was learned from the training texts only: words it never saw are split into pieces or unknown.'
      : `- Same tokenizer, language coverage and ${input.baseMaxTokens}-token window as the base model \`${input.baseModelName}\`; longer texts are classified in windows.`,
    '- It has only seen the texts of the dataset above: expect lower accuracy on text of another kind (domain, register, language).',
    '- Standard model directory (config.json, tokenizer.json, onnx/model.onnx): loads in this extension, Transformers.js and onnxruntime unchanged.',
    '',
  );
  return lines.join('\n');
}
