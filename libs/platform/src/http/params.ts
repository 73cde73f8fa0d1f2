import { ParseUUIDPipe } from '@nestjs/common';
import { ValidationException } from '../errors/domain.exception';

/** `@Param('id', uuidParam)`: a malformed id is a 400 naming the parameter, never a 500. */
export const uuidParam = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationException([{ field: 'id', message: 'id must be a UUID' }]),
});
