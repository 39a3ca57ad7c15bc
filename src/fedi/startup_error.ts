/**
 * The Fediverse bot cannot start for a reason only the operator can fix; kept apart from the
 * server code so that the exit codes can name it without loading the Mastodon client.
 *
 * @module
 */
/** A start-up problem that retrying cannot solve (wrong token, token of another account). */
export class FediStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FediStartupError";
  }
}
