import { CaptchaOcrError, ModelUnavailableError } from './errors.ts';

/** The one HTTP problem shape: `{ "error": { "code", "message" } }`, plus an error's `details` (e.g. `available`). */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly [detail: string]: unknown };
}

/**
 * Maps any thrown value to a status and body, in one place. Typed errors keep their status
 * and code; anything else is a 500 `internal` whose message hides the details (they are logged).
 * A 5xx is `internal` (to be logged) except a model that failed to load: that was logged at
 * start and GET /models reports it.
 */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (error instanceof CaptchaOcrError) {
    return { status: error.status, body: { error: { code: error.code, message: error.message, ...error.details } }, internal: error.status >= 500 && !(error instanceof ModelUnavailableError) };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } }, internal: true };
}

/** The body for one failed item inside a 200 answer (batch decode, score failures). */
export function errorItem(error: unknown): ErrorBody['error'] {
  return toErrorResponse(error).body.error;
}
