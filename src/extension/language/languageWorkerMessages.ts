import type { LanguageRequest } from '../../language/requests';

/** Host → worker: a language request about one document version; `text` is sent when the version is new to the worker. */
export interface WorkerRequest {
  readonly id: number;
  readonly uri: string;
  readonly version: number;
  readonly fileName: string;
  readonly text?: string;
  readonly request: LanguageRequest;
}

export type WorkerResponse =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: string; readonly needText?: boolean };
