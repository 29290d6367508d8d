// Anything a `catch` receives, as text for a message or a log. Host-safe: no native imports.

/** An Error's message, or the thrown value itself as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An Error's stack (its message where it has none), or the thrown value as text: for logs. */
export function errorStack(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
