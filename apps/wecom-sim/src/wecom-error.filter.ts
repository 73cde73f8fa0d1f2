import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { SimRequest } from './common/sim-request';
import { StatsService } from './stats/stats.service';
import { WecomErrcode, WecomError } from './wecom-errors';

/**
 * WecomError → HTTP 200 `{ errcode, errmsg }` (as the real servers answer), counted per API.
 * Admin (/_sim) errors keep their HTTP status. Anything else is a simulator bug: HTTP 500 with
 * errcode -1 and the message, so a test sees it instead of a silent "system busy".
 */
@Catch()
export class WecomErrorFilter implements ExceptionFilter {
  constructor(private readonly stats: StatsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<SimRequest>();
    if (exception instanceof WecomError) {
      if (req.simApi) this.stats.recordError(req.simApi, exception.errcode);
      void reply.code(200).send(exception.toReply());
      return;
    }
    if (exception instanceof HttpException) {
      void reply.code(exception.getStatus()).send(exception.getResponse());
      return;
    }
    if (req.simApi) this.stats.recordError(req.simApi, WecomErrcode.SYSTEM_BUSY);
    const message = exception instanceof Error ? exception.message : String(exception);
    void reply
      .code(500)
      .send({ errcode: WecomErrcode.SYSTEM_BUSY, errmsg: `sim internal error: ${message}` });
  }
}
