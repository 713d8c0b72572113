/** Airflow and Argo interop, in one module loaded on first use (it carries the Python parser). */
export { exportAirflow } from './airflow/exportAirflow';
export { importAirflowDag } from './airflow/importDag';
export { exportArgo } from './argo/exportArgo';
export { formatReport } from './airflow/fidelityReport';
