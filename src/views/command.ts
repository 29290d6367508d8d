// What a command table (extension.ts, views/*/commands.ts) holds: VS Code calls each command with its
// own arguments (a tree node, a URI, options from another command), which each function declares.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table cannot name every command's parameters; `unknown[]` would reject them
export type Command = (...args: any[]) => unknown;
