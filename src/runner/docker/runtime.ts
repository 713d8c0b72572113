/** The Docker runtime: everything that needs dockerode, in one module the extension loads on first run. */
export { connectDocker } from './connect';
export { DockerBackend } from './dockerBackend';
export { collectLeftovers } from './leftovers';
