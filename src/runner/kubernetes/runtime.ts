/** The Kubernetes runtime: everything that needs client-node, in one module loaded on first use. */
export { clusterSecretValues } from './clusterSecrets';
export { connectKubernetes, listContexts } from './connect';
export { KubernetesBackend } from './kubernetesBackend';
export { describePod, describeText } from './describe';
export { inspectPod } from './inspect';
export { watchPodChanges } from './podWatch';
export { listOwnedPods, orphans, removePods } from './ownedPods';
