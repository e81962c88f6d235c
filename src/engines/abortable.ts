import { InterruptedError } from "../errors.ts";

/**
 * `work` (connecting, logging in), or an InterruptedError as soon as `signal` aborts: a login that takes minutes
 * must not hold a SIGTERM up. `abandon` then drops what `work` holds (a socket, a half-made session).
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string, abandon: () => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      abandon();
      reject(new InterruptedError(`interrupted while ${what}; nothing was written`));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
