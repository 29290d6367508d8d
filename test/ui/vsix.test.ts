// The packaged extension: installs the linux-x64 VSIX (npm run package) into code-server the way a
// user would, opens a workspace without any development path, and runs Classify Document from it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeServer, installedExtensionDir, openFile, repoRoot, runCommand, scoreLenses, useWorkbench, vsix } from './workbench';

describe('packaged VSIX', function () {
  this.timeout(180_000);
  const workbench = useWorkbench({
    failureScreenshot: path.join(repoRoot, 'test-results', 'ui-vsix-failed.png'),
    skipReason: () => (codeServer.isProvisioned() && fs.existsSync(vsix) ? undefined : `needs scripts/vscode/provision.sh and ${path.relative(repoRoot, vsix)} from npm run package`),
  });

  it('installs into code-server and classifies a document', async () => {
    const scratch = workbench.scratch('textclf-vsix-');
    const extensionsDir = path.join(scratch, 'extensions');
    const workspace = path.join(scratch, 'workspace');
    fs.cpSync(path.join(repoRoot, 'test', 'integration', 'fixtures', 'workspace'), workspace, { recursive: true });
    const installed = codeServer.installExtension(vsix, extensionsDir);
    assert.match(installed, /was successfully installed/);
    const extensionDir = installedExtensionDir(extensionsDir);
    assert.ok(extensionDir, `the extension is in ${extensionsDir}`);
    assert.ok(fs.existsSync(path.join(extensionsDir, extensionDir, 'node_modules', 'tokenizers', 'tokenizers.linux-x64-gnu.node')));
    assert.ok(!fs.existsSync(path.join(extensionsDir, extensionDir, 'node_modules', 'tokenizers', 'tokenizers.darwin-arm64.node')), 'only linux-x64 binaries');

    const page = await workbench.open({ folder: workspace, viewport: { width: 1400, height: 900 }, extensionsDir });
    await openFile(page, 'reviews.md', 'This movie was wonderful');
    await runCommand(page, 'Text Classifier: Classify Document');
    const lenses = await scoreLenses(page, 4);
    assert.deepEqual(lenses.map((text) => text.split(' ')[0]), ['positive', 'negative', 'positive', 'negative']);
    fs.mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, 'test-results', 'ui-vsix-classify-document.png') });
  });
});
