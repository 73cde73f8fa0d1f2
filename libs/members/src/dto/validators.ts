import { registerDecorator, ValidationOptions } from 'class-validator';
import { normalisePhone } from '../member-pii.service';

/** A phone number libphonenumber accepts: E.164 (+8613812345678) or a mainland China number. */
export function IsPhone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPhone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be a valid phone number: +<country><number>, or a mainland China number such as 13812345678`,
        ...options,
      },
      validator: {
        validate: (v: unknown) => typeof v === 'string' && v.length <= 32 && normalisePhone(v) !== null,
      },
    });
}

export function isCalendarDate(v: unknown): v is string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return (
    !Number.isNaN(d.getTime()) &&
    d.toISOString().slice(0, 10) === v &&
    v >= '1900-01-01' &&
    d.getTime() <= Date.now()
  );
}

/** A real calendar date `YYYY-MM-DD` between 1900-01-01 and today (a birthday). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be a date YYYY-MM-DD between 1900-01-01 and today`,
        ...options,
      },
      validator: { validate: isCalendarDate },
    });
}

/** Printable ASCII without spaces: the shape of WeChat/WeCom ids and store customer ids. */
export const ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
export const APP_ID_PATTERN = /^[\x21-\x7e]{1,64}$/;
