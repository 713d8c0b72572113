import { fail, ok, type Errorable } from '../../util/errorable';
import type { Dag } from '../../dag/model';
import { runLabels } from '../../dag/labels';
import { OUTPUT_PATHS } from '../outputs';
import type { RenderedTask } from '../renderTask';

/** The subset of the Engine API's ContainerCreate body this tool sets (the field names are Docker's). */
export interface ContainerCreateBody {
  Image: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env: string[];
  WorkingDir?: string;
  User?: string;
  Labels: Record<string, string>;
  AttachStdout: true;
  AttachStderr: true;
  Tty: false;
  HostConfig: {
    Mounts: Array<{ Type: 'bind' | 'volume'; Source: string; Target: string; ReadOnly: boolean }>;
    NetworkMode?: string;
    NanoCpus?: number;
    Memory?: number;
    DeviceRequests?: Array<{ Driver: string; Count: number; Capabilities: string[][] }>;
  };
}

export interface SecretValues {
  /** Env var → value; in render output the value is `***`. */
  readonly [envName: string]: string;
}

/** Task → ContainerCreate body. Secrets go into Env only (never Cmd or Labels). */
export function containerCreateBody(
  dag: Dag,
  r: RenderedTask,
  runId: string,
  tryNumber: number,
  secrets: SecretValues,
): Errorable<ContainerCreateBody> {
  const t = r.task;
  const mounts: ContainerCreateBody['HostConfig']['Mounts'] = [];
  for (const m of r.mounts) {
    if (m.hostPath) {
      mounts.push({ Type: 'bind', Source: m.hostPath, Target: m.target, ReadOnly: m.readOnly });
      continue;
    }
    const source = dag.volumes[m.volume ?? '']?.docker;
    if (!source) {
      return fail(
        `Task "${t.id}" mounts volume "${m.volume}", which has no docker source. Add "docker: /host/path" (or a volume name) under volumes.${m.volume}.`,
      );
    }
    mounts.push({
      Type: source.startsWith('/') ? 'bind' : 'volume',
      Source: source,
      Target: m.target,
      ReadOnly: m.readOnly,
    });
  }
  const network = t.network ?? dag.docker.network;
  const body: ContainerCreateBody = {
    Image: r.image,
    ...(r.command ? { Entrypoint: [...r.command] } : {}),
    ...(r.args ? { Cmd: [...r.args] } : {}),
    Env: [
      ...Object.entries(r.env).map(([k, v]) => `${k}=${v}`),
      ...Object.keys(t.secrets).map((k) => `${k}=${secrets[k] ?? ''}`),
      ...(t.outputs.length ? [`CDAG_OUTPUT=${OUTPUT_PATHS.docker}`] : []),
    ],
    ...(r.workingDir ? { WorkingDir: r.workingDir } : {}),
    ...(t.user ? { User: t.user } : {}),
    Labels: runLabels(dag.id, runId, t.id, tryNumber),
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: {
      Mounts: mounts,
      ...(network ? { NetworkMode: network } : {}),
      ...(t.resources.cpu ? { NanoCpus: Math.round(t.resources.cpu * 1e9) } : {}),
      ...(t.resources.memoryBytes ? { Memory: t.resources.memoryBytes } : {}),
      ...(t.resources.gpu ? { DeviceRequests: [{ Driver: '', Count: t.resources.gpu, Capabilities: [['gpu']] }] } : {}),
    },
  };
  return ok(body);
}
