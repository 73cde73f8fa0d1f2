export interface FieldError {
  /** Dotted path to the offending field, e.g. `quietHours.start` or `rule.all[2].value`. */
  field: string;
  message: string;
}

/**
 * What services throw. The stable `code` is for clients; the global filter turns it into
 * application/problem+json. Services never throw HttpException.
 */
export class DomainException extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'DomainException';
  }
}

export class NotFoundException extends DomainException {
  constructor(entity: string, id?: string) {
    super(
      `${entity.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_NOT_FOUND`,
      404,
      id ? `${entity} ${id} was not found` : `${entity} was not found`,
    );
  }
}

export class ValidationException extends DomainException {
  constructor(errors: FieldError[], message = 'The request has invalid fields') {
    super('VALIDATION_FAILED', 400, message, errors);
  }
}

export class ConflictException extends DomainException {
  constructor(code: string, message: string, errors?: FieldError[]) {
    super(code, 409, message, errors);
  }
}
