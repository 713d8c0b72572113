"""Prints the state of a `airflow dags test` run from its sqlite metadata database, as JSON:
the exit code of `dags test` alone does not say which tasks failed."""
import json
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
dag_id = sys.argv[2]
runs = db.execute("select state from dag_run where dag_id=?", (dag_id,)).fetchall()
tasks = dict(db.execute("select task_id, state from task_instance where dag_id=?", (dag_id,)).fetchall())
print(json.dumps({"run": runs[0][0] if runs else None, "tasks": tasks}))
