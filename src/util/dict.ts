/**
 * Id-keyed lookups. Task ids, params and env names such as `constructor`, `toString` and `__proto__`
 * are valid, so a lookup must never reach `Object.prototype`: read with `own`, build with `dict`.
 */

/** A record with no prototype: `__proto__` is an ordinary key, and a missing key is `undefined`. */
export function dict<T>(entries?: Iterable<readonly [string, T]>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (entries) for (const [k, v] of entries) out[k] = v;
  return out;
}

/** The record's own value for `key`, never one inherited from `Object.prototype`. */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** Whether `key` is the record's own. */
export function hasOwn(record: object | undefined, key: string): boolean {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key);
}
