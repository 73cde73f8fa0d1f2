import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { collectDefaultMetrics, register } from 'prom-client';
import { Public } from '../auth/principal';

let defaultsOn = false;

/** Prometheus scrape endpoint: process metrics, HTTP latency, queue depths. Holds no personal data. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor() {
    if (!defaultsOn) {
      collectDefaultMetrics();
      defaultsOn = true;
    }
  }

  @Get()
  @Public()
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const body = await register.metrics();
    await reply.header('content-type', register.contentType).send(body);
  }
}
