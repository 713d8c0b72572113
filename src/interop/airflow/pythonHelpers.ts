/**
 * The Python an exported DAG carries besides its tasks: the secret reader, and the operator
 * subclasses that render what cdag renders and carry format v2 (outputs as XComs, `when`, the
 * item of a mapped instance). Written once per file, read by Airflow 2.x and 3.x alike.
 */

/**
 * DockerOperator's private_environment is not templated, so a secret is read where the DAG is parsed:
 * from the environment (the variable cdag reads too), else from the Airflow Variable named like the
 * secret. It never appears in `command`.
 */
export const SECRET_HELPER = `def _secret(name: str, env_var: str) -> str:
    """A Container DAGs secret: the environment variable first, else the Airflow Variable \`name\`."""
    value = os.environ.get(env_var)
    if value is not None:
        return value
    try:
        try:
            from airflow.sdk import Variable  # Airflow 3

            return str(Variable.get(name, default=""))
        except ImportError:
            from airflow.models import Variable  # Airflow 2

            return str(Variable.get(name, default_var=""))
    except Exception:  # no metadata database where the file is parsed: no value
        return ""`;

export const DOCKER_CLASS = 'ContainerDagsDockerOperator';

/**
 * DockerOperator renders templates in image, command, environment and mounts only, and reads any
 * templated string ending in .sh, .bash or .env as a template file. Container DAGs renders
 * entrypoint, working_dir and user as well, and a string is a string.
 */
export const DOCKER_SUBCLASS = `class ${DOCKER_CLASS}(DockerOperator):
    """DockerOperator rendering templates where Container DAGs does; strings are never template files."""

    template_fields = (*DockerOperator.template_fields, "entrypoint", "working_dir", "user")
    template_ext = ()`;

/** The class of exported KubernetesPodOperator tasks when the DAG uses format v2 (else the operator itself). */
export const POD_CLASS = 'ContainerDagsPodOperator';

/** Where a task writes its outputs in Airflow: DockerOperator retrieves a file; the pod operator's sidecar reads this one. */
export const AIRFLOW_OUTPUT_PATHS = { docker: '/cdag/output.json', kubernetes: '/airflow/xcom/return.json' } as const;

/**
 * Format v2 in Airflow: typed values rendered as cdag renders them, `when` read as cdag reads it,
 * outputs checked and pushed one XCom per name, the item of a mapped instance kept on its operator
 * (templates read `task.cdag_item`, which is the unmapped operator while Airflow renders).
 */
export const DATAFLOW_HELPERS = `def cdag_json(value):
    """A value as compact JSON; the values of a mapped task's instances (read lazily) as a list."""
    if not isinstance(value, (dict, list, str, int, float, bool, type(None))):
        value = list(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def cdag_text(value):
    """A value as Container DAGs renders it: text as it is, anything else as compact JSON."""
    return value if isinstance(value, str) else cdag_json(value)


def cdag_truthy(value):
    """Truth as Container DAGs reads \`when\`: empty, false, 0, null, [] and {} are false, as text too."""
    return cdag_text(value).strip() not in ("", "false", "False", "0", "null", "None", "[]", "{}")


class _CdagDataflow:
    """What Container DAGs adds to an operator: \`when\`, the item of a mapped instance, outputs as XComs."""

    def _cdag_setup(self, cdag_outputs, cdag_when, cdag_item, cdag_item_var, cdag_return):
        self.cdag_outputs = list(cdag_outputs)
        self.cdag_return = cdag_return
        self.cdag_when = cdag_when
        # Mapped over one upstream output, an instance gets the bare value: the item names it.
        self.cdag_item = {cdag_item_var: cdag_item} if cdag_item_var else cdag_item

    def _cdag_gate(self):
        if self.cdag_when is not None and not cdag_truthy(self.cdag_when):
            raise AirflowSkipException(f"when is false: {self.cdag_when!r}")

    def _cdag_push(self, context, result):
        if not self.cdag_outputs:
            return result
        names = ", ".join(self.cdag_outputs)
        if result is None:
            raise AirflowException(f"output-missing: {self.task_id} declares outputs ({names}) but wrote none")
        if not isinstance(result, dict):
            raise AirflowException(f"output-invalid: {self.task_id} wrote {type(result).__name__}, not a JSON object")
        missing = [n for n in self.cdag_outputs if n not in result]
        if missing:
            raise AirflowException(f"output-missing: the output of {self.task_id} has no {', '.join(missing)}")
        for name in self.cdag_outputs:
            context["ti"].xcom_push(key=name, value=result[name])
        # Airflow maps only over return values: the output a downstream task is expanded over.
        return result[self.cdag_return] if self.cdag_return else None`;

/** A tar of one empty, world-writable folder \`cdag\`, put into the container before it starts. */
const OUTPUT_FOLDER = `def _cdag_output_folder():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        folder = tarfile.TarInfo("cdag")
        folder.type = tarfile.DIRTYPE
        folder.mode = 0o777
        tar.addfile(folder)
    return buffer.getvalue()`;

/** DockerOperator would unpickle the retrieved file: outputs are JSON. */
const JSON_FILE = `class _CdagJsonFile:
    load = staticmethod(json.load)`;

const DATAFLOW_INIT = `def __init__(
        self, *, cdag_outputs=(), cdag_when=None, cdag_item=None, cdag_item_var=None, cdag_return=None, **kwargs
    ):
        super().__init__(**kwargs)
        self._cdag_setup(cdag_outputs, cdag_when, cdag_item, cdag_item_var, cdag_return)`;

/** The Docker subclass with format v2: the output folder exists before the container starts. */
export const DOCKER_DATAFLOW_SUBCLASS = `${OUTPUT_FOLDER}


${JSON_FILE}


class ${DOCKER_CLASS}(_CdagDataflow, DockerOperator):
    """DockerOperator rendering templates where Container DAGs does, with its outputs, when and items."""

    template_fields = (*DockerOperator.template_fields, "entrypoint", "working_dir", "user", "cdag_when")
    template_ext = ()
    pickling_library = _CdagJsonFile

    ${DATAFLOW_INIT}

    def execute(self, context):
        self._cdag_gate()
        if self.cdag_outputs:
            cli, start = self.cli, self.cli.start

            def start_with_output_folder(container, *args, **kwargs):
                cli.put_archive(container, "/", _cdag_output_folder())
                return start(container, *args, **kwargs)

            cli.start = start_with_output_folder
        return self._cdag_push(context, super().execute(context))`;

export const POD_DATAFLOW_SUBCLASS = `class ${POD_CLASS}(_CdagDataflow, KubernetesPodOperator):
    """KubernetesPodOperator with Container DAGs' outputs (through the XCom sidecar), when and items."""

    template_fields = (*KubernetesPodOperator.template_fields, "cdag_when")

    ${DATAFLOW_INIT}

    def execute(self, context):
        self._cdag_gate()
        return self._cdag_push(context, super().execute(context))`;

/** `prev_ds` as cdag means it (the logical date before this one on the schedule), which Airflow 3 removed. */
export const PREV_DS_HELPER = `def cdag_prev_ds(logical_date, cron, fmt="%Y-%m-%d"):
    """The logical date before this one on the DAG's schedule (the same date without a cron schedule)."""
    if cron is None:
        return logical_date.strftime(fmt)
    from croniter import croniter

    return croniter(cron, logical_date).get_prev(datetime).strftime(fmt)`;
