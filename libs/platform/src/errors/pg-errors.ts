import { QueryFailedError } from 'typeorm';
import { DomainException } from './domain.exception';

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  column?: string;
}

/**
 * Meanings of the constraints, registered by each lib, so a violated constraint reads as what it
 * protects ("an operator with this email exists") rather than as SQL.
 */
const constraintMessages = new Map<string, { code: string; message: string; field?: string }>();

export function describeConstraint(name: string, code: string, message: string, field?: string): void {
  constraintMessages.set(name, { code, message, field });
}

/** Maps Postgres integrity errors to 409/422/400. Anything else is not ours to translate. */
export function translateDatabaseError(err: unknown): DomainException | undefined {
  if (!(err instanceof QueryFailedError)) return undefined;
  const pg = (err as QueryFailedError & { driverError?: PgError }).driverError ?? (err as unknown as PgError);
  const known = pg.constraint ? constraintMessages.get(pg.constraint) : undefined;
  const errors = known?.field ? [{ field: known.field, message: known.message }] : undefined;
  switch (pg.code) {
    case '23505':
      return new DomainException(
        known?.code ?? 'ALREADY_EXISTS',
        409,
        known?.message ?? `A conflicting record exists (${pg.constraint ?? 'unique'})`,
        errors,
      );
    case '23503':
      return new DomainException(
        known?.code ?? 'REFERENCE_NOT_FOUND',
        422,
        known?.message ?? `A referenced record does not exist (${pg.constraint ?? 'foreign key'})`,
        errors,
      );
    case '23514':
    case '23502':
      return new DomainException(
        known?.code ?? 'CONSTRAINT_VIOLATED',
        422,
        known?.message ?? `The change breaks a rule (${pg.constraint ?? pg.column ?? 'check'})`,
        errors,
      );
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
      return new DomainException('INVALID_VALUE', 400, 'A value has the wrong format or is out of range');
    default:
      return undefined;
  }
}
