import type { BackendKind } from '../protocol/runRecord';
import type { SensitiveRequest } from './hostAccess';
import type { LockHolder } from './runLock';
import type { StoreUnwritable } from './runStore';

/**
 * Why runs of a DAG could not be prepared: coded data, never a sentence naming a front end's
 * command or flag. The CLI and VS Code each phrase these their own way (a flag to add, a button).
 */
export type LaunchFailure =
  | StoreUnwritable
  /** Requests for the host or node that the user did not allow (and was not asked, or the CLI has no one to ask). */
  | { readonly code: 'host-access-refused'; readonly requests: readonly SensitiveRequest[] }
  /** The user was asked and said no: nothing to say. */
  | { readonly code: 'host-access-declined' }
  /** Secrets the DAG uses that no source has a value for (names as the DAG writes them). */
  | { readonly code: 'secrets-missing'; readonly names: readonly string[] }
  /** A secret exists but cannot be read (a cluster Secret missing, forbidden, without the key). */
  | { readonly code: 'secret-unreadable'; readonly message: string }
  /** Images to build for a cluster run, with no way configured for them to reach the cluster. */
  | { readonly code: 'build-not-delivered'; readonly images: readonly string[] }
  /** The Docker Engine or the cluster did not answer; `message` names the cause and the fix. */
  | { readonly code: 'backend-unavailable'; readonly backend: BackendKind; readonly message: string };

/** Why one run (one DAG and logical date) of a launch was not started while the others go on. */
export type RunNotStarted =
  | {
      readonly code: 'run-locked';
      readonly dag: string;
      readonly logicalDate: string;
      /** The live run of this DAG and date, and the process that owns it. */
      readonly holder: LockHolder;
    }
  | { readonly code: 'lock-failed'; readonly dag: string; readonly logicalDate: string; readonly cause: string };
