import type { BuildSpec } from '../dag/buildImages';
import { renderTemplate, type TemplateContext } from '../dag/templateRender';
import { dict } from '../util/dict';
import { fail, ok, type Errorable } from '../util/errorable';

/** A build's args rendered with the run's names (`{{ env.BASE }}`); they are part of the content tag. */
export function renderBuildArgs(build: BuildSpec, ctx: TemplateContext): Errorable<Record<string, string>> {
  const args = dict<string>();
  for (const [k, v] of Object.entries(build.args)) {
    const r = renderTemplate(v, ctx);
    if (!r.succeeded) return fail(`build.args.${k}: ${r.error}`);
    args[k] = r.result;
  }
  return ok(args);
}
