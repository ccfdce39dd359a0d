import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../observability/logger.js';

export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/** Every error leaves the API as `{error: {code, message, details?}}` with the matching status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);

export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

/** body-parser errors carry a `type`; they become 400/413/415 instead of 500. */
function fromBodyParser(error: { type?: string; limit?: number; status?: unknown; expose?: unknown }): ApiError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return new ApiError(413, 'payload_too_large', `request body is larger than ${error.limit} bytes`);
    case 'parameters.too.many':
      return new ApiError(413, 'payload_too_large', 'request body has too many parameters');
    case 'entity.parse.failed':
      return new ApiError(400, 'invalid_json', 'request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'unsupported_media_type', 'request body encoding is not supported');
    case 'request.aborted':
      return new ApiError(400, 'bad_request', 'request body was not received completely');
    case 'request.size.invalid':
    case 'querystring.parse.rangeError':
      return new ApiError(400, 'bad_request', 'request body could not be read');
    default:
      // Other client errors raised while reading a body (a corrupt gzip body is zlib's error with
      // status 400, exposed): the client's fault, said without echoing what was sent.
      if (error.expose === true && typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
        return new ApiError(error.status, error.status === 413 ? 'payload_too_large' : error.status === 415 ? 'unsupported_media_type' : 'bad_request', 'request body could not be read');
      }
      return undefined;
  }
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const known = error instanceof ApiError ? error : fromBodyParser(error);
    const apiError = known ?? new ApiError(500, 'internal', 'internal server error');
    if (!known) log.error({ err: error, reqId: req.id }, 'unhandled error');
    if (res.headersSent) return res.end();
    res.status(apiError.status).json({
      error: { code: apiError.code, message: apiError.message, ...(apiError.details ? { details: apiError.details } : {}) },
    });
  };
}
