import { PipelineError, UnavailableError } from '@spotify-pipeline/shared';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { QueryTimeoutError } from '../readers/reader.js';

/** A request the API cannot answer as asked; the message says what to change. */
export class BadRequestError extends PipelineError {}

/** The thing asked for does not exist in gold. */
export class NotFoundError extends PipelineError {}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function body(statusCode: number, message: string) {
  return { statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message };
}

/** Turns zod issues into one line per parameter: "from: must be a date such as 2026-01-31". */
function validationMessage(error: {
  validation: Array<{ instancePath: string; message?: string | undefined }>;
  validationContext?: string | undefined;
}): string {
  return error.validation
    .map((issue) => {
      const where =
        issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || error.validationContext || 'request';
      return `${where}: ${issue.message ?? 'is not valid'}`;
    })
    .join('; ');
}

/**
 * Every error becomes a JSON body with a message and no stack trace: 400 for a bad parameter, 404 for
 * something gold does not have, 503 while the warehouse cannot answer, 504 when it missed the deadline. An
 * unexpected error is logged with its stack and answered with a 500 that names the request id only.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (hasZodFastifySchemaValidationErrors(error)) {
    void reply.code(400).send(body(400, validationMessage(error)));
    return;
  }
  if (error instanceof BadRequestError) {
    void reply.code(400).send(body(400, error.message));
    return;
  }
  if (error instanceof NotFoundError) {
    void reply.code(404).send(body(404, error.message));
    return;
  }
  if (error instanceof QueryTimeoutError) {
    request.log.warn({ err: error }, 'query missed its deadline');
    void reply.code(504).send(body(504, error.message));
    return;
  }
  if (error instanceof UnavailableError) {
    void reply.code(503).header('retry-after', '5').send(body(503, error.message));
    return;
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500 && !isResponseSerializationError(error)) {
    // Fastify's own client errors (a malformed URL, an unsupported method): their messages are safe to show.
    void reply.code(status).send(body(status, error.message));
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply
    .code(500)
    .send(body(500, `internal error (request ${request.id}); the service log has the details`));
}

export function notFoundBody(message: string) {
  return body(404, message);
}
