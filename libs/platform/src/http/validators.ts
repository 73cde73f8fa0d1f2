import { registerDecorator, ValidationOptions } from 'class-validator';

const zones = new Set(Intl.supportedValuesOf('timeZone'));
zones.add('UTC');
const currencies = new Set(Intl.supportedValuesOf('currency'));

export function isTimeZone(value: unknown): value is string {
  return typeof value === 'string' && zones.has(value);
}

/** An IANA time zone such as Asia/Shanghai or America/Los_Angeles. */
export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be an IANA time zone such as Asia/Shanghai`,
        ...options,
      },
      validator: { validate: isTimeZone },
    });
}

/** An ISO 4217 currency code such as CNY. */
export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCurrencyCode',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be an ISO 4217 currency code such as CNY`,
        ...options,
      },
      validator: { validate: (v: unknown) => typeof v === 'string' && currencies.has(v) },
    });
}

export const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
