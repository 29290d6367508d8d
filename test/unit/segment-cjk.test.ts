// The sentence unit splits Chinese and Japanese at 。！？ (full-width stops need no space after them),
// keeping closing quotes with their sentence; every range slices back to its text.
import * as assert from 'node:assert/strict';
import { segment } from '../../src/classifier/segment';

describe('sentence unit: Chinese and Japanese', () => {
  for (const [language, text, expected] of [
    ['Chinese', '今天的天气很好！我们去公园吧？股市今天大幅上涨。好的', ['今天的天气很好！', '我们去公园吧？', '股市今天大幅上涨。', '好的']],
    ['Japanese', 'この映画はとても面白かったです。東京は大きな都市です！本当に？はい', ['この映画はとても面白かったです。', '東京は大きな都市です！', '本当に？', 'はい']],
    ['Chinese with a quotation', '他说：“你好。”然后走了。', ['他说：“你好。”', '然后走了。']],
    ['mixed with English', 'This is English. 这是中文。これは日本語です！', ['This is English.', '这是中文。', 'これは日本語です！']],
  ] as const) {
    it(`${language}: splits at 。！？`, () => {
      const sentences = segment(text, 'sentence');
      assert.deepEqual(sentences.map((s) => s.text), expected);
      for (const s of sentences) assert.equal(text.slice(s.start, s.end), s.text);
    });
  }
});
