#!/usr/bin/env node
// Writes training-manifest.json for the bundled models from the real dataset files they were trained
// on (npx tsc -p . first): news-topic from AG News test.csv and its split.json (train rows; the eval
// rows are its test rows), sentiment-sst2 from all of SST-2 train.tsv.
//   node scripts/bundled-manifests.mjs [DATASETS_DIR]   (default: $TEXTCLF_DATASETS or ../shared/datasets)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { inspectDataset } = require('../out/src/datasets/schema.js');
const { readRows } = require('../out/src/datasets/rows.js');
const { encodeTextHashes, fileSha256, writeTrainingManifest } = require('../out/src/datasets/trainingManifest.js');

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = path.resolve(process.argv[2] ?? process.env.TEXTCLF_DATASETS ?? path.join(repo, '..', 'shared', 'datasets'));

/** Every data row's text (undefined for a row the reader skips), in file order. */
async function rowTexts(file) {
  const texts = [];
  for await (const row of readRows(await inspectDataset(file))) texts.push(row.kind === 'row' ? row.text : undefined);
  return texts;
}

async function manifest(file, train, extra) {
  const texts = await rowTexts(file);
  const trainRows = train === 'all' ? texts.map((_, index) => index) : train;
  const missing = trainRows.filter((index) => texts[index] === undefined);
  if (missing.length > 0) throw new Error(`${file}: training rows ${missing.slice(0, 5).join(', ')} are not readable rows`);
  return {
    version: 1,
    dataset: { file: path.basename(file), sha256: await fileSha256(file), rows: texts.length },
    train,
    ...extra,
    train_text_hashes: encodeTextHashes(trainRows.map((index) => texts[index])),
  };
}

const newsDir = path.join(repo, 'models', 'news-topic');
const split = JSON.parse(fs.readFileSync(path.join(newsDir, 'split.json'), 'utf8'));
const news = await manifest(path.join(datasets, 'ag_news', split.source), split.train, {
  validation: [],
  test: split.eval,
  note: "split.json's eval rows are the test rows (the model card's metrics)",
});
if (news.dataset.rows !== split.rows) throw new Error(`${split.source} has ${news.dataset.rows} rows, split.json says ${split.rows}`);
writeTrainingManifest(newsDir, news);

const sstDev = path.join(datasets, 'sst2', 'dev.tsv');
const sentiment = await manifest(path.join(datasets, 'sst2', 'train.tsv'), 'all', {
  validation: [],
  note: `selected on SST-2 dev.tsv (another file: ${(await rowTexts(sstDev)).length} rows, sha256 ${await fileSha256(sstDev)})`,
});
writeTrainingManifest(path.join(repo, 'models', 'sentiment-sst2'), sentiment);
for (const [name, value] of [['news-topic', news], ['sentiment-sst2', sentiment]]) {
  console.log(`${name}: ${value.dataset.file} (${value.dataset.rows} rows, sha256 ${value.dataset.sha256}), ${value.train === 'all' ? 'all' : value.train.length} training rows`);
}
