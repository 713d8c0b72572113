import type { Problem } from '../../dag/problem';

export interface ValidateRequest {
  readonly id: number;
  readonly text: string;
  readonly fileName: string;
}

export type ValidateResponse =
  { readonly id: number; readonly problems: Problem[] } | { readonly id: number; readonly error: string };
