/** The text that replaces a secret's value everywhere we write or show text. */
export const MASK = '***';

/** Below this many characters a value cannot be masked without mangling every log (Airflow masks nothing under 5). */
export const MIN_MASKABLE = 4;

/** Values so common in ordinary output that masking them would hide the log, not the secret. */
const COMMON_WORDS = new Set(['true', 'false', 'null', 'none', 'nil', 'undefined', 'yes', 'no', 'on', 'off', 'test']);

/** Why a value (or a line of one) cannot be masked, or undefined when it can. */
function unmaskable(text: string): 'too-short' | 'common-word' | undefined {
  if (text.length < MIN_MASKABLE) return 'too-short';
  if (COMMON_WORDS.has(text.toLowerCase())) return 'common-word';
  return undefined;
}

/**
 * What is masked for a value: the value itself and, for a multi-line value (a PEM key, a JSON
 * credential), each of its lines that is not trivial — a log prints such a value one line at a time.
 */
export function maskedPieces(value: string): string[] {
  const out: string[] = [];
  if (!unmaskable(value.trim())) out.push(value);
  if (/[\r\n]/.test(value)) {
    for (const raw of value.split(/\r?\n|\r/)) {
      const line = raw.trim();
      if (!unmaskable(line)) out.push(line);
    }
  }
  return out;
}

/** A secret that will show in clear if printed, and why: warned about before the run. */
export interface UnmaskableSecret {
  readonly name: string;
  readonly why: 'too-short' | 'common-word';
}

/** The secrets whose value cannot be masked (under 4 characters, or a word such as `true`). */
export function unmaskableSecrets(values: Readonly<Record<string, string>>): UnmaskableSecret[] {
  const out: UnmaskableSecret[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (/[\r\n]/.test(value.trim())) continue;
    const why = unmaskable(value.trim());
    if (why) out.push({ name, why });
  }
  return out;
}

/** One sentence for the warning before a run. */
export function describeUnmaskable(s: readonly UnmaskableSecret[]): string {
  return s
    .map(
      (x) =>
        `Secret "${x.name}" cannot be masked in logs: its value is ${x.why === 'too-short' ? `under ${MIN_MASKABLE} characters` : 'a common word'}, and masking it would hide ordinary output. It shows in clear wherever a task prints it.`,
    )
    .join(' ');
}

/**
 * Replaces every secret value in a line. Lines are assembled before masking, so a value split
 * across two chunks is whole again here. Longer values are replaced first, so a value that
 * contains another is masked whole.
 */
export function makeMasker(values: Iterable<string>): (line: string) => string {
  const secrets = [...new Set([...values].flatMap(maskedPieces))].sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  };
}
