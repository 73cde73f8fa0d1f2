import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainException } from './domain.exception';
import { describeConstraint } from './pg-errors';
import { sendProblem } from './problem.filter';
import { toProblem } from './to-problem';

const pgError = (code: string, constraint?: string) =>
  new QueryFailedError('INSERT …', [], Object.assign(new Error('db'), { code, constraint }));

describe('toProblem', () => {
  it('keeps a domain exception’s status, code and field errors', () => {
    const r = toProblem(
      new DomainException('COUPON_BUDGET_EXHAUSTED', 409, 'no budget left', [
        { field: 'count', message: 'x' },
      ]),
      't1',
    );
    expect(r.problem).toMatchObject({
      status: 409,
      code: 'COUPON_BUDGET_EXHAUSTED',
      detail: 'no budget left',
      traceId: 't1',
      title: 'Conflict',
    });
    expect(r.problem.errors).toEqual([{ field: 'count', message: 'x' }]);
    expect(r.unexpected).toBe(false);
  });

  it('maps Postgres unique, foreign-key and check violations to 409/422, using registered meanings', () => {
    describeConstraint('things_name_key', 'THING_NAME_TAKEN', 'A thing with this name exists', 'name');
    expect(toProblem(pgError('23505', 'things_name_key'), 't').problem).toMatchObject({
      status: 409,
      code: 'THING_NAME_TAKEN',
      errors: [{ field: 'name', message: 'A thing with this name exists' }],
    });
    expect(toProblem(pgError('23505', 'other_key'), 't').problem).toMatchObject({
      status: 409,
      code: 'ALREADY_EXISTS',
    });
    expect(toProblem(pgError('23503'), 't').problem).toMatchObject({
      status: 422,
      code: 'REFERENCE_NOT_FOUND',
    });
    expect(toProblem(pgError('23514'), 't').problem).toMatchObject({
      status: 422,
      code: 'CONSTRAINT_VIOLATED',
    });
  });

  it('turns unknown errors into a 500 that reveals nothing but the trace id', () => {
    const r = toProblem(new Error('secret internals at /srv/x.ts:12'), 'trace-9');
    expect(r.unexpected).toBe(true);
    expect(r.problem).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', traceId: 'trace-9' });
    expect(JSON.stringify(r.problem)).not.toContain('secret internals');
    expect(toProblem(pgError('XX000'), 't').problem.status).toBe(500);
  });

  it('keeps 4xx HttpExceptions and Fastify client errors, and a 503 as a 503', () => {
    expect(toProblem(new BadRequestException('nope'), 't').problem).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
    const fst = Object.assign(new Error('too big'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(toProblem(fst, 't').problem).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(toProblem(new ServiceUnavailableException(), 't').problem.status).toBe(503);
  });

  it('logs an unexpected error with the same trace id it returns', () => {
    const logged: unknown[] = [];
    let sent: { status?: number; body?: unknown } = {};
    const reply = {
      sent: false,
      headers: () => reply,
      header: () => reply,
      status: (s: number) => ((sent.status = s), reply),
      send: (b: unknown) => ((sent.body = b), reply),
    };
    sendProblem(new Error('boom'), { id: 'req-42' } as never, reply as never, {
      error: (o: unknown) => logged.push(o),
    });
    expect(sent.status).toBe(500);
    expect((sent.body as { traceId: string }).traceId).toBe('req-42');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ traceId: 'req-42' });
    sent = {};
  });
});
