/** Exit code for a run that did not finish in time (the one coreutils' timeout uses). */
export const TIMEOUT_EXIT_CODE = 124;

export class DeadlineError extends Error {}

/** Rejects with DeadlineError after timeoutMs unless `work` settles first; the timer never keeps the process alive. */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(message)), timeoutMs);
    timer.unref();
  });
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}
