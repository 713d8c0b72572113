import * as vscode from 'vscode';
import type { Config } from '../config';
import { readText } from './dagsTree';

export interface ImageSuggestion {
  readonly image: string;
  readonly detail: string;
  /** Offered in this order: the workspace's DAGs first, then the Engine's images. */
  readonly from: 'workspace' | 'engine';
}

/** Look-ups are kept this long: completion asks on every keystroke after `image: `. */
const FRESH_MS = 30_000;
/** The Engine's image list is waited for this long, then completion goes on without it. */
const ENGINE_WAIT_MS = 1_500;
const IMAGE_LINE = /^[ \t]*(?:-[ \t]+)?image:[ \t]*["']?([^\s"'#{}]+)/gm;

/**
 * Images to offer after `image: ` besides the file's own: those the workspace's other DAGs use, and
 * those on the local Docker Engine (a trusted workspace's only, as the Docker extension lists them).
 */
export class ImageSuggestions {
  private workspace: { at: number; images: Promise<ImageSuggestion[]> } | undefined;
  private engine: { at: number; images: Promise<ImageSuggestion[]> } | undefined;

  constructor(private readonly config: Config) {}

  async list(): Promise<ImageSuggestion[]> {
    const now = Date.now();
    if (!this.workspace || now - this.workspace.at > FRESH_MS)
      this.workspace = { at: now, images: workspaceImages().catch(() => []) };
    if (vscode.workspace.isTrusted && (!this.engine || now - this.engine.at > FRESH_MS))
      this.engine = { at: now, images: this.engineImages().catch(() => []) };
    const fromEngine = this.engine
      ? Promise.race([
          this.engine.images,
          new Promise<ImageSuggestion[]>((r) => setTimeout(() => r([]), ENGINE_WAIT_MS)),
        ])
      : Promise.resolve([]);
    const [ws, local] = await Promise.all([this.workspace.images, fromEngine]);
    const seen = new Set<string>();
    return [...ws, ...local].filter((s) => !seen.has(s.image) && seen.add(s.image));
  }

  private async engineImages(): Promise<ImageSuggestion[]> {
    const docker = await import('../../runner/docker/dockerBundle');
    const engine = await docker.connectDocker(this.config.dockerHost(), process.env);
    if (!engine.succeeded) return [];
    const images = await engine.result.listImages();
    return images
      .flatMap((i) => (i.RepoTags ?? []).map((tag) => ({ tag, size: i.Size })))
      .filter(({ tag }) => tag !== '<none>:<none>')
      .map(({ tag, size }) => ({
        image: tag,
        detail: `local image · ${(size / 1e6).toFixed(0)} MB`,
        from: 'engine' as const,
      }));
  }
}

async function workspaceImages(): Promise<ImageSuggestion[]> {
  const files = await vscode.workspace.findFiles('**/*.dag.{yaml,yml}', '**/node_modules/**', 200);
  const users = new Map<string, Set<string>>();
  for (const uri of files) {
    const text = await readText(uri);
    if (text === undefined) continue;
    const name = uri.path.split('/').pop() ?? '';
    for (const m of text.matchAll(IMAGE_LINE)) {
      const set = users.get(m[1]!) ?? new Set<string>();
      set.add(name);
      users.set(m[1]!, set);
    }
  }
  return [...users].map(([image, in_]) => ({
    image,
    from: 'workspace' as const,
    detail: `used in ${[...in_].slice(0, 3).join(', ')}${in_.size > 3 ? ` and ${in_.size - 3} more` : ''}`,
  }));
}
