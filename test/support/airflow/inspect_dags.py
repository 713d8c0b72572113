"""Loads a folder of DAG files in Airflow's own DagBag and prints what Airflow sees, as JSON.

Run with the Airflow virtual environment's python: AIRFLOW_HOME=<tmp> python inspect_dags.py FOLDER
Parsing needs no metadata database.
"""
import json
import logging
import os
import sys
import warnings

os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "ERROR")  # before airflow is imported
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
real_stdout, sys.stdout = sys.stdout, sys.stderr  # DAG files may print; stdout stays JSON
warnings.simplefilter("ignore")
logging.disable(logging.WARNING)
from airflow.models.dagbag import DagBag  # noqa: E402

# The arguments of a container operator that decide what runs, as plain JSON: Kubernetes objects
# through the client's own serializer, so a dict and a k8s.V1... object compare equal.
ARGS = {
    "DockerOperator": [
        "image", "command", "entrypoint", "environment", "working_dir", "user", "network_mode",
        "mem_limit", "cpus", "mounts",
    ],
    "KubernetesPodOperator": [
        "image", "cmds", "arguments", "env_vars", "env_from", "affinity", "priority_class_name",
        "host_network", "security_context", "container_security_context", "init_containers", "ports",
        "node_selector", "tolerations", "annotations", "volumes", "volume_mounts", "image_pull_policy",
        "namespace", "service_account_name", "container_resources",
    ],
}


def plain(value):
    try:
        from kubernetes.client import ApiClient

        value = ApiClient().sanitize_for_serialization(value)
    except Exception:  # noqa: BLE001 - a value the client cannot serialize is shown as text
        pass
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def container_args(t):
    for base in type(t).__mro__:
        if base.__name__ in ARGS:
            return {name: plain(getattr(t, name, None)) for name in ARGS[base.__name__]}
    return None

def is_mapped(t):
    return type(t).__name__ == "MappedOperator"


def operator_class(t):
    """The class a task is made of; for a mapped task (partial().expand()), the class it expands."""
    cls = getattr(t, "operator_class", None) if is_mapped(t) else None
    return cls if isinstance(cls, type) else type(t)


try:
    bag = DagBag(dag_folder=sys.argv[1], include_examples=False, safe_mode=False)
except TypeError:  # Airflow 3.3 dropped include_examples (examples come from LOAD_EXAMPLES only)
    bag = DagBag(dag_folder=sys.argv[1], safe_mode=False)
out = {"import_errors": dict(bag.import_errors), "dags": []}
for dag_id, dag in sorted(bag.dags.items()):
    timetable = dag.timetable
    out["dags"].append(
        {
            "dag_id": dag_id,
            "fileloc": os.path.basename(dag.fileloc),
            "timetable": type(timetable).__name__,
            "schedule": getattr(timetable, "_expression", None),
            "start_date": dag.start_date.isoformat() if dag.start_date else None,
            "catchup": dag.catchup,
            "tasks": [
                {
                    "task_id": t.task_id,
                    "operator": operator_class(t).__name__,
                    "bases": [b.__name__ for b in operator_class(t).__mro__],
                    "mapped": is_mapped(t),
                    "upstream": sorted(t.upstream_task_ids),
                    "trigger_rule": str(getattr(t.trigger_rule, "value", t.trigger_rule)),
                    "retries": t.retries,
                    "args": container_args(t),
                }
                for t in dag.tasks
            ],
        }
    )
real_stdout.write(json.dumps(out) + "\n")
