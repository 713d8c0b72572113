/** Everything that needs client-node, in one bundle (dist/kubernetes-runtime.js) loaded on first use. */
export { clusterSecretValues } from './clusterSecrets';
export { connectKubernetes, listContexts } from './connect';
export { KubernetesBackend } from './kubernetesBackend';
export { describePod, describeText } from './describe';
export { inspectPod } from './inspect';
export { watchPodChanges } from './podWatch';
export { collectRunPods, listOwnedPods, orphans, removePods } from './ownedPods';
