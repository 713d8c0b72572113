import type { MapSpec, ObjectSpec } from './schema';

/**
 * An image reference a DAG may build (`images.NAME`): a repository with an optional tag, no digest
 * (a digest names what exists, not what is built) and no template (the tag is content-addressed).
 */
export const BUILT_IMAGE_PATTERN =
  '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$';

/** `build:` — how to make the image from a folder, as Docker Compose's `build:`. */
export const BUILD_SPEC: ObjectSpec = {
  kind: 'object',
  doc: 'Builds the image before the task runs, as Docker Compose’s `build:`: the Docker Engine builds `context` (a folder, relative to the DAG file) with its `Dockerfile`; the image is tagged by the content of the folder (minus `.dockerignore`), the Dockerfile and the args, so an unchanged folder is never built again and a changed one always is. `image` names the repository (default: one derived from the DAG and task).',
  required: ['context'],
  fields: {
    context: {
      kind: 'string',
      doc: 'The folder sent to the build, relative to the DAG file (`./fetch`). Its `.dockerignore` is honoured. A folder that resolves to a system folder (`/`, `/etc`, `/root`…) needs the same consent as mounting it.',
      pattern: '\\S',
      patternHelp: 'a folder, relative to the DAG file',
    },
    dockerfile: {
      kind: 'string',
      doc: 'The Dockerfile, relative to `context` (default `Dockerfile`).',
    },
    args: {
      kind: 'map',
      doc: 'Build arguments (`ARG` in the Dockerfile). Templates with the run’s names are rendered (`{{ env.BASE }}`); the rendered values are part of the image’s content tag.',
      keyPattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      keyHelp: 'letters, digits and `_`, not starting with a digit',
      values: { kind: 'string', doc: 'The argument’s value.', templated: true, numberOk: true },
    },
    target: {
      kind: 'string',
      doc: 'The stage of a multi-stage Dockerfile to build (`docker build --target`).',
    },
  },
};

/** `images:` — images the DAG builds, by the reference tasks (and services) give as `image`. */
export const IMAGES_SPEC: MapSpec = {
  kind: 'map',
  doc: 'Images this DAG builds, by reference (`manning-airflow/movielens-fetch`): every task or service whose `image` is one of them runs it built from its folder (see a task’s `build`).',
  keyPattern: BUILT_IMAGE_PATTERN,
  keyHelp: 'an image reference without a digest or template (`repository[:tag]`)',
  values: BUILD_SPEC,
};
