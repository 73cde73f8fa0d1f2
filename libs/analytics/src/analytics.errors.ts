import { DomainException, ValidationException } from '@siyu/platform';

export enum AnalyticsErrorCode {
  QueryTimeout = 'ANALYTICS_QUERY_TIMEOUT',
}

export class AnalyticsException extends DomainException {
  /** 400 naming the query parameter, the same shape as the validation pipe's. */
  static badParam(field: string, message: string): ValidationException {
    return new ValidationException([{ field, message }]);
  }

  static timeout(seconds: number): AnalyticsException {
    return new AnalyticsException(
      AnalyticsErrorCode.QueryTimeout,
      503,
      `The report ran longer than ${seconds} s; narrow the date range or try again later`,
    );
  }
}
