/** The layered-layout worker's bundled code, inlined by scripts/build.mjs. */
declare module 'virtual:layered-worker' {
  const code: string;
  export default code;
}
