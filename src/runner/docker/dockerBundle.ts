/** Everything that needs dockerode, in one bundle (dist/docker-runtime.js) loaded on first run. */
export { connectDocker } from './connect';
export { DockerBackend } from './dockerBackend';
export { collectLeftovers } from './leftovers';
export { ImageBuilds } from './imageBuilds';
export { ClusterDelivery } from './clusterDelivery';
export { imageStatus } from './imageStatus';
