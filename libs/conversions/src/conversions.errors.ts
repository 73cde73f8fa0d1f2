import { DomainException, FieldError } from '@siyu/platform';

export enum ConversionErrorCode {
  LinkNotFound = 'LINK_NOT_FOUND',
  OrderNotFound = 'ORDER_NOT_FOUND',
  DestinationRefused = 'LINK_DESTINATION_REFUSED',
  BindingInvalid = 'LINK_BINDING_INVALID',
}

export class ConversionException extends DomainException {
  static linkNotFound(id: string): ConversionException {
    return new ConversionException(ConversionErrorCode.LinkNotFound, 404, `tracked link ${id} was not found`);
  }

  static orderNotFound(id: string): ConversionException {
    return new ConversionException(ConversionErrorCode.OrderNotFound, 404, `order ${id} was not found`);
  }

  /** 400: not http(s), or not on the brand's allowlist: Siyu must not become an open redirect. */
  static destinationRefused(message: string): ConversionException {
    return new ConversionException(ConversionErrorCode.DestinationRefused, 400, `destination ${message}`, [
      { field: 'destination', message },
    ]);
  }

  /** 422: a binding names a campaign, variant or group chat the brand does not have. */
  static bindingInvalid(errors: FieldError[]): ConversionException {
    return new ConversionException(
      ConversionErrorCode.BindingInvalid,
      422,
      errors.map((e) => `${e.field} ${e.message}`).join('; '),
      errors,
    );
  }
}
