/**
 * Watches one connection attempt of the `@xmpp/client` entity, from opening the socket to a
 * usable session: it ends with a new session (`online`), a resumed one (`resumed`), or a failure
 * (an `error` event, the transport closing, or the deadline passing).
 *
 * @module
 */
import type { Clock } from "../core/ports.ts";
import type { Emitter, Listener } from "./xml.ts";

/** How a session came up. */
export type SessionKind = "online" | "resumed";

export class AttemptWatch {
  /** Settles with the session kind once the server bound a resource or resumed the session. */
  readonly session: Promise<SessionKind>;
  /** Rejects when the attempt fails; never resolves. */
  readonly failure: Promise<never>;
  readonly #cleanup: (() => void)[] = [];

  /**
   * `entity` is the client, `sm` its stream-management plugin. The deadline covers the whole
   * attempt, including what the caller does after the session is up (roster, presence).
   */
  constructor(entity: Emitter, sm: Emitter, timers: Clock, deadlineMs: number) {
    let fail: (error: unknown) => void = () => {};
    this.failure = new Promise<never>((_, reject) => {
      fail = reject;
    });
    // Awaited later (or never, when the attempt succeeds): keep the rejection from being
    // reported as unhandled.
    this.failure.catch(() => {});
    let done: (kind: SessionKind) => void = () => {};
    const session = new Promise<SessionKind>((resolve) => {
      done = resolve;
    });
    this.session = Promise.race([session, this.failure]);
    this.session.catch(() => {});

    this.#listen(entity, "online", () => done("online"));
    this.#listen(sm, "resumed", () => done("resumed"));
    this.#listen(entity, "error", (error: unknown) => fail(error));
    this.#listen(entity, "disconnect", () => fail(new Error("the connection closed")));
    const timer = timers.setTimeout(
      () => fail(new Error(`no usable session within ${deadlineMs} ms`)),
      deadlineMs,
    );
    this.#cleanup.push(() => timers.clearTimeout(timer));
  }

  /** `promise`, unless the attempt fails first. */
  guard<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.failure]);
  }

  /** Stops watching (listeners and deadline). */
  close(): void {
    for (const undo of this.#cleanup.splice(0)) undo();
  }

  #listen(target: Emitter, event: string, listener: Listener): void {
    target.on(event, listener);
    this.#cleanup.push(() => target.removeListener(event, listener));
  }
}
