import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationException } from './domain.exception';

/** Flattens class-validator's nested errors into `{ field: 'a.b[0].c', message }`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const key = /^\d+$/.test(e.property) ? `[${e.property}]` : e.property;
    const path = parent ? (key.startsWith('[') ? `${parent}${key}` : `${parent}.${key}`) : key;
    for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
      out.push({
        field: path,
        message: constraint === 'whitelistValidation' ? `${path} is not an accepted field` : message,
      });
    }
    if (e.children && e.children.length > 0) out.push(...flattenValidationErrors(e.children, path));
  }
  return out;
}

/** The global pipe: strip nothing silently — unknown fields are an error, types are converted. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationException(flattenValidationErrors(errors)),
  });
}
