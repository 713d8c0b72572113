import type { YAMLMap } from 'yaml';
import { problem, type Problem } from './problem';
import { entry, isMap, isScalar, mapAt, pairs, rangeOf } from './yamlNodes';

/**
 * What a built image contradicts: a pull (`image_pull_policy: Always` would fetch over the build),
 * a templated reference (a build's tag is fixed by its content), an `images` entry nothing runs.
 */
export function checkBuilds(root: YAMLMap, out: Problem[]): void {
  const images = mapAt(root, 'images');
  const built = new Set(images ? pairs(images).map((p) => String(p.key.value)) : []);
  const used = new Set<string>();
  const defaults = mapAt(root, 'defaults');
  const defaultPull = defaults ? entry(defaults, 'image_pull_policy') : undefined;
  const tasks = mapAt(root, 'tasks');
  for (const t of tasks ? pairs(tasks) : []) {
    if (!isMap(t.value)) continue;
    const image = entry(t.value, 'image');
    const ref = isScalar(image?.value) ? String(image.value.value) : undefined;
    const own = entry(t.value, 'build');
    if (ref !== undefined) used.add(ref);
    if (!own && (ref === undefined || !built.has(ref))) continue;
    const pull = entry(t.value, 'image_pull_policy') ?? defaultPull;
    if (isScalar(pull?.value) && pull.value.value === 'Always')
      out.push(
        problem(
          'build-pull-always',
          'error',
          `Task "${String(t.key.value)}" builds its image, and image_pull_policy Always would pull it over the build. Remove image_pull_policy (a built image is never pulled).`,
          rangeOf(pull.value),
        ),
      );
    if (own && ref?.includes('{{') && image?.value)
      out.push(
        problem(
          'build-templated-image',
          'error',
          `Task "${String(t.key.value)}" builds its image: its tag comes from what is built, so "image" names a repository without templates.`,
          rangeOf(image.value),
        ),
      );
  }
  const services = mapAt(root, 'services');
  for (const s of services ? pairs(services) : []) {
    const image = isMap(s.value) ? entry(s.value, 'image')?.value : undefined;
    if (isScalar(image)) used.add(String(image.value));
  }
  for (const p of images ? pairs(images) : [])
    if (!used.has(String(p.key.value)))
      out.push(
        problem(
          'unused-image',
          'warning',
          `No task or service runs the image "${String(p.key.value)}": it is never built. Give it as a task's "image".`,
          rangeOf(p.key),
        ),
      );
}
