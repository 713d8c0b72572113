/** Expected failures (no daemon, bad date, unknown task) as values, so each caller decides how to say them. */
export type Errorable<T> = Succeeded<T> | Failed;

export interface Succeeded<T> {
  readonly succeeded: true;
  readonly result: T;
}

export interface Failed {
  readonly succeeded: false;
  /** What is wrong and how to fix it, in one or two sentences. */
  readonly error: string;
}

export function ok<T>(result: T): Succeeded<T> {
  return { succeeded: true, result };
}

export function fail(error: string): Failed {
  return { succeeded: false, error };
}
