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

/** body-parser errors carry a `type`; they (and the router's, see below) become 400/413/415 instead of 500. */
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
    default: {
      // Other client errors met while reading a request: http-errors' (marked `expose`), such as
      // a corrupt gzip body (zlib's error, given 400 by body-parser), and the router's URIError
      // (400) for a path parameter that is not valid percent-encoding. Upstream errors that carry
      // a status of their own (an LLM API's 401) are not the client's, and stay 500s. Said
      // without echoing what was sent.
      if (error instanceof URIError && error.status === 400) return new ApiError(400, 'bad_request', 'request path is not valid percent-encoding');
      const status = error.status;
      if (error.expose !== true || typeof status !== 'number' || status < 400 || status >= 500) return undefined;
      if (status === 413) return new ApiError(413, 'payload_too_large', 'request body is too large');
      if (status === 415) return new ApiError(415, 'unsupported_media_type', 'request body encoding is not supported');
      return new ApiError(400, 'bad_request', 'request could not be read');
    }
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
