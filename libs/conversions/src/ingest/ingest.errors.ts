import { DomainException, FieldError } from '@siyu/platform';

export enum IngestErrorCode {
  SignatureInvalid = 'WEBHOOK_SIGNATURE_INVALID',
  SourceDisabled = 'ORDER_SOURCE_DISABLED',
  SourceKind = 'ORDER_SOURCE_WRONG_KIND',
  SlugTaken = 'ORDER_SOURCE_SLUG_TAKEN',
  PayloadInvalid = 'WEBHOOK_PAYLOAD_INVALID',
  MalformedJson = 'MALFORMED_JSON',
  TopicUnsupported = 'WEBHOOK_TOPIC_UNSUPPORTED',
  ImportFileMissing = 'AFFILIATE_IMPORT_FILE_MISSING',
  ImportHeaderInvalid = 'AFFILIATE_IMPORT_HEADER_INVALID',
  ImportEmpty = 'AFFILIATE_IMPORT_EMPTY',
  ImportTooLarge = 'AFFILIATE_IMPORT_TOO_LARGE',
  ImportMalformed = 'AFFILIATE_IMPORT_MALFORMED',
}

export class IngestException extends DomainException {
  /**
   * One answer for every signature failure (unknown source, bad or missing signature, stale
   * timestamp) so a caller cannot probe which source ids exist. The reason goes to the log only.
   */
  static unauthorized(): IngestException {
    return new IngestException(
      IngestErrorCode.SignatureInvalid,
      401,
      'The webhook signature is missing, invalid or too old',
    );
  }

  static disabled(sourceId: string): IngestException {
    return new IngestException(IngestErrorCode.SourceDisabled, 409, `Order source ${sourceId} is disabled`);
  }

  static wrongKind(sourceId: string, kind: string, wanted: string): IngestException {
    return new IngestException(
      IngestErrorCode.SourceKind,
      422,
      `Order source ${sourceId} is a ${kind} source; this route takes ${wanted} sources`,
      [{ field: 'sourceId', message: `must be a ${wanted} source` }],
    );
  }

  static slugTaken(slug: string): IngestException {
    return new IngestException(
      IngestErrorCode.SlugTaken,
      409,
      `The brand already has an order source "${slug}"`,
      [{ field: 'slug', message: `slug "${slug}" is taken in this brand; give another` }],
    );
  }

  static payload(errors: FieldError[], message = 'The webhook body has invalid fields'): IngestException {
    return new IngestException(IngestErrorCode.PayloadInvalid, 400, message, errors);
  }

  static malformedJson(): IngestException {
    return new IngestException(IngestErrorCode.MalformedJson, 400, 'The request body is not valid JSON', [
      { field: 'body', message: 'must be a JSON document' },
    ]);
  }

  static topic(topic: string | undefined): IngestException {
    return new IngestException(
      IngestErrorCode.TopicUnsupported,
      400,
      `Topic ${topic ?? '(none)'} is not handled; subscribe orders/paid and refunds/create`,
      [{ field: 'X-Shopify-Topic', message: 'must be orders/paid or refunds/create' }],
    );
  }

  static fileMissing(): IngestException {
    return new IngestException(
      IngestErrorCode.ImportFileMissing,
      400,
      'Upload the report as multipart field "file"',
      [{ field: 'file', message: 'a CSV file is required' }],
    );
  }

  static headerInvalid(errors: FieldError[]): IngestException {
    return new IngestException(
      IngestErrorCode.ImportHeaderInvalid,
      400,
      'The report header is not usable',
      errors,
    );
  }

  static importEmpty(): IngestException {
    return new IngestException(IngestErrorCode.ImportEmpty, 400, 'The report has a header but no rows', [
      { field: 'file', message: 'no rows after the header' },
    ]);
  }

  static tooLarge(maxBytes: number): IngestException {
    return new IngestException(IngestErrorCode.ImportTooLarge, 413, `The report exceeds ${maxBytes} bytes`, [
      { field: 'file', message: `at most ${maxBytes} bytes` },
    ]);
  }

  static malformed(line: number | undefined, message: string): IngestException {
    return new IngestException(
      IngestErrorCode.ImportMalformed,
      400,
      `The report is not readable CSV: ${message}`,
      [{ field: line ? `file.line[${line}]` : 'file', message }],
    );
  }
}
