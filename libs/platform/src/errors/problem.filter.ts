import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { toProblem } from './to-problem';

/** Turns every error that leaves a route into application/problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendProblem(exception, req, reply, this.logger);
  }
}

export function sendProblem(
  exception: unknown,
  req: FastifyRequest,
  reply: FastifyReply,
  logger: { error(obj: unknown, msg?: string): void },
): void {
  const traceId = String(req.id);
  const { problem, headers, unexpected } = toProblem(exception, traceId);
  if (unexpected) {
    logger.error({ err: exception, traceId, reqId: traceId }, `unhandled error (traceId ${traceId})`);
  }
  if (reply.sent) return;
  if (headers) void reply.headers(headers);
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}
