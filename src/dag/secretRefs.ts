/** How a task's secret reference names its value: in a Kubernetes Secret, and as an environment variable. */

/** A task's secret reference (`name` or `name/key`) as a Secret's name and key; the key defaults to the name. */
export function secretKeyRef(ref: string): { name: string; key: string } {
  const [name, key = name] = ref.split('/') as [string, string?];
  return { name, key };
}

/** `movielens-password` → `MOVIELENS_PASSWORD`; a `name/key` reference uses its name. */
export function envNameOf(secretName: string): string {
  return secretName
    .split('/')[0]!
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}
