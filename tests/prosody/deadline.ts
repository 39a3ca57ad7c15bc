/**
 * Deadlines as abort signals, for racing start-up and shutdown against a time limit.
 *
 * @module
 */

/**
 * An AbortSignal that aborts after `ms`, and whose timer is cleared on dispose
 * (`AbortSignal.timeout` would keep the process alive, and trips the test sanitizers).
 */
export function deadlineSignal(ms: number, reason: string): { signal: AbortSignal } & Disposable {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`${reason} (${ms} ms)`)), ms);
  return { signal: controller.signal, [Symbol.dispose]: () => clearTimeout(timer) };
}

/** A promise that rejects with the signal's reason when it aborts. */
export function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(signal.reason);
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}
