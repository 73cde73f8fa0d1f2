import { BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}).map((m) => `${prefix}${m}`),
    ...flatten(e.children ?? [], `${prefix}${e.property}.`),
  ]);
}

/** Validates a /_sim admin body against its DTO class; a bad one is a 400 naming the fields. */
export function validateAdminBody<T extends object>(cls: new () => T, body: unknown): T {
  if (body === null || typeof body !== 'object') throw new BadRequestException('body must be a JSON object');
  const dto = plainToInstance(cls, body);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw new BadRequestException(flatten(errors));
  return dto;
}
