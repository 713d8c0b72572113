/**
 * Expected failures (no daemon, bad date, unknown task) as values, so each caller decides how to say
 * them. The error is a sentence by default, or coded data (`{ code, … }`) that each front end phrases.
 */
export type Errorable<T, E = string> = Succeeded<T> | Failed<E>;

export interface Succeeded<T> {
  readonly succeeded: true;
  readonly result: T;
}

export interface Failed<E = string> {
  readonly succeeded: false;
  /** What is wrong and how to fix it, in one or two sentences, or a coded failure. */
  readonly error: E;
}

export function ok<T>(result: T): Succeeded<T> {
  return { succeeded: true, result };
}

export function fail<E = string>(error: E): Failed<E> {
  return { succeeded: false, error };
}
