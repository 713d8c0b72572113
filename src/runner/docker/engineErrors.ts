import type Docker from 'dockerode';

/** How every Engine API call of this tool reads an error: its HTTP status and the daemon's message. */
interface ApiError {
  statusCode?: number;
  json?: { message?: string };
  message?: string;
}

export const status = (e: unknown): number | undefined => (e as ApiError | undefined)?.statusCode;
export const apiMessage = (e: unknown): string => (e as ApiError).json?.message ?? (e as ApiError).message ?? String(e);

/** Removes a container; 404 (already gone) and 409 (removal in progress) count as done. */
export async function removeQuietly(c: Docker.Container): Promise<void> {
  try {
    await c.remove({ force: true });
  } catch (e) {
    if (status(e) !== 404 && status(e) !== 409) throw e;
  }
}
