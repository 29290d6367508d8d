// Which settings level a security-relevant value may come from. Pure functions over what
// WorkspaceConfiguration.inspect() returns, so the rules are tested without VS Code.
// - hubEndpoint: the user's own (global) value only. The download sends HF_TOKEN to it, and a
//   workspace could otherwise redirect it (the manifest also declares it `machine` scope).
// - remote.*: in an untrusted workspace only user-level values count. A token is sent only to a URL
//   set at the same level: a workspace that sets only remote.url does not get the user's token.

/** The values of one setting at each level, as inspect() gives them. */
export interface Levels<T> {
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

export const defaultHubEndpoint = 'https://huggingface.co';

export function hubEndpointFrom(levels: Levels<string> | undefined): string {
  return (levels?.globalValue ?? defaultHubEndpoint).trim().replace(/\/+$/, '') || defaultHubEndpoint;
}

export interface RemoteSettings {
  url: string;
  model: string;
  token?: string;
  /** A workspace's own url, ignored because the workspace is not trusted. */
  ignoredWorkspaceUrl?: string;
}

export function remoteFrom(levels: { url?: Levels<string>; model?: Levels<string>; token?: Levels<string> }, trusted: boolean): RemoteSettings {
  const user = (setting?: Levels<string>) => setting?.globalValue?.trim() ?? '';
  const workspace = (setting?: Levels<string>) => (setting?.workspaceFolderValue ?? setting?.workspaceValue)?.trim();
  const workspaceUrl = workspace(levels.url);
  const fromWorkspace = trusted && workspaceUrl !== undefined;
  const url = fromWorkspace ? workspaceUrl : user(levels.url);
  const model = (trusted ? workspace(levels.model) : undefined) ?? user(levels.model);
  const token = fromWorkspace ? workspace(levels.token) : user(levels.token);
  return { url, model, token: token || undefined, ignoredWorkspaceUrl: !trusted && workspaceUrl ? workspaceUrl : undefined };
}
