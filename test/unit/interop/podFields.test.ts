import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';
import { exportAirflow } from '../../../src/interop/airflow/exportAirflow';
import { importAirflowDag } from '../../../src/interop/airflow/importDag';

export const KPO_FIELDS = `from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s

with DAG("pods", schedule=None) as dag:
    t = KubernetesPodOperator(
        task_id="t",
        image="busybox",
        cmds=["sh", "-c", "env"],
        affinity=k8s.V1Affinity(node_affinity=k8s.V1NodeAffinity(
            required_during_scheduling_ignored_during_execution=k8s.V1NodeSelector(node_selector_terms=[
                k8s.V1NodeSelectorTerm(match_expressions=[
                    k8s.V1NodeSelectorRequirement(key="disk", operator="In", values=["ssd"])])]))),
        priority_class_name="high",
        env_from=[k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name="common"), prefix="C_")],
        volumes=[k8s.V1Volume(name="creds", secret=k8s.V1SecretVolumeSource(secret_name="db-creds"))],
        volume_mounts=[k8s.V1VolumeMount(name="creds", mount_path="/creds", read_only=True)],
        init_containers=[k8s.V1Container(name="init", image="busybox", command=["true"])],
        ports=[k8s.V1ContainerPort(container_port=8080, name="http")],
        security_context={"runAsNonRoot": True, "fsGroup": 2000},
        container_security_context={"allowPrivilegeEscalation": False, "runAsUser": 1000},
        host_network=True,
        annotations={"team": "data"},
        node_selector={"pool": "batch"},
        tolerations=[k8s.V1Toleration(key="batch", operator="Exists", effect="NoSchedule")],
        pod_template_dict={"spec": {"dnsPolicy": "ClusterFirstWithHostNet", "containers": [{"name": "base", "stdin": False}]}},
    )
`;

describe('KubernetesPodOperator pod fields, both ways', () => {
  it('imports affinity, priority class, env_from, Secret volumes, init containers, ports, security contexts, host network and a pod template', async () => {
    const r = await importAirflowDag(KPO_FIELDS, 'pods.py');
    assert.ok(r.succeeded);
    const a = analyzeDag(r.result.yaml, 'pods.dag.yaml');
    assert.deepEqual(
      a.problems.filter((p) => p.severity === 'error'),
      [],
    );
    assert.deepEqual(
      r.result.problems.filter((p) => p.severity !== 'info').map((p) => `${p.code}@${p.line}: ${p.message}`),
      [],
    );
    const t = a.dag!.tasks[0]!;
    const spec = (t.kubernetes.pod as { spec: Record<string, unknown> }).spec;
    assert.equal(spec.priorityClassName, 'high');
    assert.equal(spec.hostNetwork, true);
    assert.equal(spec.dnsPolicy, 'ClusterFirstWithHostNet');
    assert.deepEqual(spec.securityContext, { runAsNonRoot: true, fsGroup: 2000 });
    assert.deepEqual(spec.initContainers, [{ name: 'init', image: 'busybox', command: ['true'] }]);
    assert.deepEqual(
      (spec.affinity as { nodeAffinity: Record<string, unknown> }).nodeAffinity
        .requiredDuringSchedulingIgnoredDuringExecution,
      { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }] },
    );
    assert.deepEqual(spec.containers, [
      {
        name: 'task',
        stdin: false,
        securityContext: { allowPrivilegeEscalation: false, runAsUser: 1000 },
        ports: [{ containerPort: 8080, name: 'http' }],
      },
    ]);
    assert.deepEqual(t.kubernetes.envFrom, [{ configMap: 'common', prefix: 'C_' }]);
    assert.deepEqual({ ...a.dag!.volumes }.creds?.kubernetes, { secret: 'db-creds' });
    assert.deepEqual({ ...t.kubernetes.annotations }, { team: 'data' });
    assert.deepEqual({ ...t.kubernetes.nodeSelector }, { pool: 'batch' });
  });

  it('exports them back as KubernetesPodOperator arguments, and imports the export to the same pod', async () => {
    const first = await importAirflowDag(KPO_FIELDS, 'pods.py');
    assert.ok(first.succeeded);
    const dag = analyzeDag(first.result.yaml, 'pods.dag.yaml').dag!;
    const py = exportAirflow(dag, 'kubernetes').python;
    for (const arg of [
      'affinity=',
      'priority_class_name="high"',
      'host_network=True',
      'security_context=',
      'container_security_context=',
      'init_containers=',
      'ports=',
      'k8s.V1EnvFromSource(',
      'k8s.V1SecretVolumeSource(secret_name="db-creds")',
      'pod_template_dict=',
    ])
      assert.ok(py.includes(arg), `${arg} missing in:\n${py}`);
    const again = await importAirflowDag(py, 'pods.py');
    assert.ok(again.succeeded);
    const back = analyzeDag(again.result.yaml, 'pods.dag.yaml').dag!;
    assert.deepEqual(back.tasks[0]!.kubernetes.pod, dag.tasks[0]!.kubernetes.pod);
    assert.deepEqual(back.tasks[0]!.kubernetes.envFrom, dag.tasks[0]!.kubernetes.envFrom);
    assert.deepEqual({ ...back.volumes }.creds, { ...dag.volumes }.creds);
  });
});
