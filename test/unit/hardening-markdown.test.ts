// Issue 17 (7): file and column names in the Datasets tree tooltip are shown as written. Rendered
// with markdown-it (CommonMark, as VS Code's hovers render), no link, image or HTML may appear.
import * as assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { escapeMarkdown, inlineCode } from '../../src/views/markdownText';

const markdown = new MarkdownIt({ html: true, linkify: false });
const hostile = [
  '[click me](command:workbench.action.terminal.new)',
  '![x](https://evil.example/track.png)',
  '<img src=x onerror=alert(1)>',
  '**bold** _it_ `code` # heading',
  'a\\]b\n\n# new block',
  '``` fence',
  'reviews (1).csv',
  '&amp; &lt;',
];

/** The text a reader sees: tags removed, entities decoded. */
function visibleText(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&').trim();
}

describe('Markdown escaping of names in tooltips (issue 17)', () => {
  for (const name of hostile) {
    it(`shows ${JSON.stringify(name)} as written, with no link, image or HTML`, () => {
      const html = markdown.render(`**${escapeMarkdown(name)}**  \ntext: ${inlineCode(name)}, label: ${inlineCode('label')}`);
      assert.doesNotMatch(html, /<a |<img|<h1|<script/i, html);
      const shown = name.replace(/[\r\n]+/g, ' ');
      const strong = /<strong>(.*?)<\/strong>/s.exec(html);
      assert.ok(strong, html);
      assert.equal(visibleText(strong[1]), shown.trim());
      const code = /<code>(.*?)<\/code>/s.exec(html);
      assert.ok(code, html);
      assert.equal(visibleText(code[1]), shown.trim());
    });
  }
});
