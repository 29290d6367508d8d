// A progress notification with a Cancel button for long work in another process, which also stops
// when the caller's own signal aborts (tests and other extensions cancel that way).
import * as vscode from 'vscode';

export function withCancellableProgress<T>(
  title: string,
  signal: AbortSignal | undefined,
  work: (report: (message: string) => void, cancel: AbortSignal) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const cancel = new AbortController();
    const subscription = token.onCancellationRequested(() => cancel.abort());
    const onAbort = () => cancel.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) cancel.abort();
    return work((message) => progress.report({ message }), cancel.signal).finally(() => {
      subscription.dispose();
      signal?.removeEventListener('abort', onAbort);
    });
  });
}
