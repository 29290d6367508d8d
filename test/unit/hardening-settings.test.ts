// Issue 17 (3) and (8): a workspace must not redirect where the user's tokens go. The level rules
// of settingLevels.ts (what Config reads through inspect()) and the manifest's scope.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hubEndpointFrom, remoteFrom } from '../../src/settingLevels';
import { repoRoot } from '../support/paths';

describe('settings that decide where tokens go (issue 17)', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const property = (name: string) => manifest.contributes.configuration.properties[`textClassifier.${name}`];

  it('hubEndpoint is a machine setting that a workspace cannot set, and only the user value is read', () => {
    assert.equal(property('hubEndpoint').scope, 'machine');
    assert.equal(hubEndpointFrom({ globalValue: 'https://hub.mine.example/', workspaceValue: 'https://evil.example' }), 'https://hub.mine.example');
    assert.equal(hubEndpointFrom({ workspaceFolderValue: 'https://evil.example' }), 'https://huggingface.co');
    assert.equal(hubEndpointFrom(undefined), 'https://huggingface.co');
  });

  it('a workspace that sets only remote.url does not get the user-level remote.token', () => {
    const userToken = { globalValue: 'user-secret' };
    const workspaceOnlyUrl = remoteFrom({ url: { globalValue: 'https://mine.example', workspaceValue: 'https://evil.example' }, token: userToken }, true);
    assert.equal(workspaceOnlyUrl.url, 'https://evil.example');
    assert.equal(workspaceOnlyUrl.token, undefined);

    const userUrl = remoteFrom({ url: { globalValue: 'https://mine.example' }, token: userToken }, true);
    assert.deepEqual([userUrl.url, userUrl.token], ['https://mine.example', 'user-secret']);

    const workspaceBoth = remoteFrom({ url: { workspaceFolderValue: 'https://team.example' }, token: { globalValue: 'user-secret', workspaceValue: 'team-token' } }, true);
    assert.deepEqual([workspaceBoth.url, workspaceBoth.token], ['https://team.example', 'team-token']);
  });

  it('in an untrusted workspace its url and token are ignored; the user url keeps the user token', () => {
    const untrusted = remoteFrom({ url: { globalValue: 'https://mine.example', workspaceValue: 'https://evil.example' }, token: { globalValue: 'user-secret', workspaceValue: 'x' } }, false);
    assert.deepEqual(untrusted, { url: 'https://mine.example', model: '', token: 'user-secret', ignoredWorkspaceUrl: 'https://evil.example' });
    const userTokenOnly = remoteFrom({ url: { workspaceValue: 'https://evil.example' }, token: { globalValue: 'user-secret' } }, false);
    assert.deepEqual([userTokenOnly.url, userTokenOnly.token], ['', 'user-secret']);
  });
});
