import { DomainException, FieldError } from '@siyu/platform';

export enum PartnerReconciliationErrorCode {
  NotFound = 'PARTNER_RECONCILIATION_NOT_FOUND',
  LineNotFound = 'PARTNER_RECONCILIATION_LINE_NOT_FOUND',
  SourceNotFound = 'ORDER_SOURCE_NOT_FOUND',
  FileMissing = 'RECONCILIATION_FILE_MISSING',
  HeaderInvalid = 'RECONCILIATION_HEADER_INVALID',
  Empty = 'RECONCILIATION_FILE_EMPTY',
  Malformed = 'RECONCILIATION_FILE_MALFORMED',
  TooLarge = 'RECONCILIATION_FILE_TOO_LARGE',
  NothingToResolve = 'RECONCILIATION_LINE_NOTHING_TO_RESOLVE',
  Resolved = 'RECONCILIATION_LINE_ALREADY_RESOLVED',
}

export class PartnerReconciliationException extends DomainException {
  static notFound(id: string): PartnerReconciliationException {
    return new PartnerReconciliationException(
      PartnerReconciliationErrorCode.NotFound,
      404,
      `reconciliation ${id} was not found`,
    );
  }

  static lineNotFound(id: string): PartnerReconciliationException {
    return new PartnerReconciliationException(
      PartnerReconciliationErrorCode.LineNotFound,
      404,
      `reconciliation line ${id} was not found`,
    );
  }

  /** 404 naming the field: the brand has no affiliate order source with this id. */
  static sourceNotFound(id: string): PartnerReconciliationException {
    return new PartnerReconciliationException(
      PartnerReconciliationErrorCode.SourceNotFound,
      404,
      `affiliate order source ${id} was not found`,
      [{ field: 'sourceId', message: `no affiliate order source ${id}` }],
    );
  }

  static fileMissing(): PartnerReconciliationException {
    return new PartnerReconciliationException(
      PartnerReconciliationErrorCode.FileMissing,
      400,
      'send the report as multipart/form-data with a part named "file"',
      [{ field: 'file', message: 'is required' }],
    );
  }

  static header(errors: FieldError[]): PartnerReconciliationException {
    return new PartnerReconciliationException(
      PartnerReconciliationErrorCode.HeaderInvalid,
      400,
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    );
  }

  static empty(): PartnerReconciliationException {
    return new PartnerReconciliationException(
      PartnerReconciliationErrorCode.Empty,
      400,
      'the report has a header but no rows',
      [{ field: 'file', message: 'has no rows' }],
    );
  }

  static malformed(detail: string): PartnerReconciliationException {
    return new PartnerReconciliationException(
      PartnerReconciliationErrorCode.Malformed,
      400,
      `the report is not readable CSV: ${detail}`,
      [{ field: 'file', message: detail }],
    );
  }

  static tooLarge(max: number): PartnerReconciliationException {
    return new PartnerReconciliationException(
      PartnerReconciliationErrorCode.TooLarge,
      413,
      `the report is larger than ${max} bytes`,
      [{ field: 'file', message: `must be at most ${max} bytes` }],
    );
  }

  static nothingToResolve(id: string, kind: string): PartnerReconciliationException {
    return new PartnerReconciliationException(
      PartnerReconciliationErrorCode.NothingToResolve,
      409,
      `reconciliation line ${id} is ${kind}: there is no difference to resolve`,
      [{ field: 'kind', message: `is ${kind}` }],
    );
  }

  static resolved(id: string, resolution: string): PartnerReconciliationException {
    return new PartnerReconciliationException(
      PartnerReconciliationErrorCode.Resolved,
      409,
      `reconciliation line ${id} was already resolved (${resolution})`,
      [{ field: 'resolution', message: `is ${resolution}` }],
    );
  }
}
