import { fail, ok, type Errorable } from '../util/errorable';

export interface ParsedMount {
  readonly volume?: string;
  readonly hostPath?: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** Offsets of the source part within the mount string, for references and rename. */
  readonly sourceSpan: { readonly start: number; readonly end: number };
}

/** `VOLUME:/path[:ro|rw]` or the Docker-only `/host/path:/path[:ro|rw]`. */
export function parseMount(text: string): Errorable<ParsedMount> {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3) {
    return fail(`"${text}" is not a mount: write VOLUME:/path or VOLUME:/path:ro.`);
  }
  const [source, target, mode] = parts as [string, string, string | undefined];
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') {
    return fail(`Mount mode "${mode}" is not allowed: write ro (read-only) or rw.`);
  }
  if (!target.startsWith('/')) return fail(`The container path "${target}" must be absolute (start with /).`);
  if (source === '') return fail(`"${text}" has no volume: write VOLUME:${target}.`);
  const sourceSpan = { start: 0, end: source.length };
  if (source.startsWith('/')) return ok({ hostPath: source, target, readOnly: mode === 'ro', sourceSpan });
  if (source.startsWith('.') || source.startsWith('~')) {
    return fail(`"${source}" is a relative path; use an absolute host path or a volume declared under "volumes".`);
  }
  return ok({ volume: source, target, readOnly: mode === 'ro', sourceSpan });
}
