import { fail, ok, type Errorable } from '../../util/errorable';
import { messageOf, statusOf } from './apiErrors';
import type { Cluster } from './connect';
import { describePod, describeText, type PodDescription } from './describe';

/** A pod and its events, read now, as the describe tree and the "Describe Pod" view show them. */
export async function inspectPod(
  cluster: Cluster,
  namespace: string,
  name: string,
): Promise<Errorable<{ description: PodDescription; text: string }>> {
  try {
    const pod = await cluster.core.readNamespacedPod({ name, namespace });
    const events = await cluster.core
      .listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })
      .then((l) => l.items)
      .catch(() => []);
    const description = describePod(pod, events);
    return ok({ description, text: describeText(pod, description) });
  } catch (e) {
    if (statusOf(e) === 404)
      return fail(`Pod ${name} is gone from ${namespace} (deleted after the task, per delete_pods).`);
    return fail(`Could not read pod ${name} in ${namespace}: ${messageOf(e)}`);
  }
}
