const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::\\d+)?';
const REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

/** Docker's reference grammar (distribution/reference); undefined when valid, else what is wrong. */
export function checkImage(ref: string): string | undefined {
  if (ref.trim() === '') return 'An image is required, e.g. python:3.12-slim.';
  if (REFERENCE.test(ref)) return undefined;
  if (/[A-Z]/.test(ref.split(/[:@]/)[0]!.split('/').slice(-1)[0]!)) {
    return `"${ref}" is not a valid image reference: repository names must be lowercase.`;
  }
  return `"${ref}" is not a valid image reference: write repository[:tag][@digest], e.g. python:3.12-slim.`;
}
