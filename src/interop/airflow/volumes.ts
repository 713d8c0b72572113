import type { Doc, DocMap } from './importContext';

/** The `volumes` block an import builds: one name per distinct source, named after what it holds. */
export class VolumeRegistry {
  private readonly byKey = new Map<string, string>();
  readonly entries = new Map<string, DocMap>();

  /** A Docker bind (absolute path) or named volume. */
  docker(source: string): string {
    const key = `docker:${source}`;
    const known = this.byKey.get(key);
    if (known) return known;
    const base = source.startsWith('/') ? (source.split('/').filter(Boolean).pop() ?? 'root') : source;
    const name = this.unique(base);
    this.byKey.set(key, name);
    this.entries.set(name, { docker: source });
    return name;
  }

  /** A Kubernetes volume, by its own name; the same name with another source gets a suffix. */
  kubernetes(name: string, source: DocMap): string {
    const key = `k8s:${name}:${JSON.stringify(source)}`;
    const known = this.byKey.get(key);
    if (known) return known;
    const chosen = this.entries.has(sanitize(name)) ? this.unique(name) : sanitize(name);
    this.byKey.set(key, chosen);
    this.entries.set(chosen, { kubernetes: source });
    return chosen;
  }

  toDoc(): Record<string, Doc> | undefined {
    return this.entries.size ? Object.fromEntries(this.entries) : undefined;
  }

  private unique(base: string): string {
    const clean = sanitize(base);
    let name = clean;
    for (let i = 2; this.entries.has(name); i++) name = `${clean}-${i}`;
    return name;
  }
}

/** Volume names: letters, digits, `_`, `.` and `-`, starting with a letter or digit. */
function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+|-+$/g, '') || 'volume';
}
