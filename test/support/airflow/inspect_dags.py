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

bag = DagBag(dag_folder=sys.argv[1], include_examples=False, safe_mode=False)
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
                    "operator": type(t).__name__,
                    "bases": [b.__name__ for b in type(t).__mro__],
                    "upstream": sorted(t.upstream_task_ids),
                    "trigger_rule": str(getattr(t.trigger_rule, "value", t.trigger_rule)),
                    "retries": t.retries,
                }
                for t in dag.tasks
            ],
        }
    )
real_stdout.write(json.dumps(out) + "\n")
