/** The text that replaces a secret's value everywhere we write or show text (S2). */
export const MASK = '***';

/**
 * Replaces every secret value in a line. Lines are assembled before masking, so a value split
 * across two chunks is whole again here. Longer values are replaced first, so a value that
 * contains another is masked whole.
 */
export function makeMasker(values: Iterable<string>): (line: string) => string {
  const secrets = [...new Set([...values].filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  };
}
