/** Airflow and Argo interop, in one bundle (dist/interop-runtime.js) loaded on first use: it carries the Python parser. */
export { exportAirflow } from './airflow/exportAirflow';
export { importAirflowDag } from './airflow/importDag';
export { exportArgo } from './argo/exportArgo';
export { formatReport } from './airflow/fidelityReport';
