/**
 * Typed errors. Every error a user can cause is one of these; `functions/` maps them
 * to HTTP responses in one place (status + `{ error: { code, message } }`), the CLI to
 * exit codes.
 */
export class CaptchaOcrError extends Error {
  /** Stable machine-readable code, e.g. `invalid_image`. */
  readonly code: string;
  /** The HTTP status this error maps to. */
  readonly status: number;
  /** Extra fields of the error body beside `code` and `message` (e.g. `available` model names). */
  readonly details?: Readonly<Record<string, unknown>>;
  constructor(code: string, status: number, message: string, options?: { cause?: unknown; details?: Readonly<Record<string, unknown>> }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    if (options?.details) this.details = options.details;
  }
}

export class InvalidImageError extends CaptchaOcrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_image', 422, message, options);
  }
}

export class UnsupportedMediaTypeError extends CaptchaOcrError {
  constructor(message: string) {
    super('unsupported_media_type', 415, message);
  }
}

export class ImageTooLargeError extends CaptchaOcrError {
  constructor(message: string) {
    super('image_too_large', 413, message);
  }
}

export class PayloadTooLargeError extends CaptchaOcrError {
  constructor(message: string) {
    super('payload_too_large', 413, message);
  }
}

export class ArchiveTooLargeError extends CaptchaOcrError {
  constructor(message: string) {
    super('archive_too_large', 413, message);
  }
}

export class InvalidArchiveError extends CaptchaOcrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_archive', 422, message, options);
  }
}

export class BadRequestError extends CaptchaOcrError {
  constructor(message: string) {
    super('bad_request', 400, message);
  }
}

export class InvalidModelError extends CaptchaOcrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_model', 500, message, options);
  }
}

export class UnsupportedLayerError extends CaptchaOcrError {
  constructor(message: string) {
    super('unsupported_layer', 400, message);
  }
}

export class UnauthorizedError extends CaptchaOcrError {
  constructor(message = 'missing or wrong API key (send Authorization: Bearer KEY or x-api-key: KEY)') {
    super('unauthorized', 401, message);
  }
}

export class NotFoundError extends CaptchaOcrError {
  constructor(message: string) {
    super('not_found', 404, message);
  }
}

export class MethodNotAllowedError extends CaptchaOcrError {
  constructor(message: string) {
    super('method_not_allowed', 405, message);
  }
}

/** The request ran past the per-request time limit (the work is abandoned). */
export class RequestTimeoutError extends CaptchaOcrError {
  constructor(message: string) {
    super('request_timeout', 408, message);
  }
}

/** `?charset=` / `--charset` is empty or holds a character the model does not know. */
export class InvalidCharsetError extends CaptchaOcrError {
  constructor(message: string) {
    super('invalid_charset', 400, message);
  }
}

/** `?model=NAME` names no model this server holds; the error body lists the `available` ones. */
export class UnknownModelError extends CaptchaOcrError {
  readonly available: readonly string[];
  constructor(message: string, available: readonly string[]) {
    super('unknown_model', 404, message, { details: { available } });
    this.available = available;
  }
}

/** `?model=NAME` names a model of the folder that failed to load; the body lists the `available` ones. */
export class ModelUnavailableError extends CaptchaOcrError {
  readonly available: readonly string[];
  constructor(message: string, available: readonly string[]) {
    super('model_unavailable', 503, message, { details: { available } });
    this.available = available;
  }
}
