import { Matches, registerDecorator, ValidationOptions } from 'class-validator';

/** The largest amount accepted, in minor units (10^15 − 1, as orders). */
export const MAX_MINOR = 999_999_999_999_999n;

/** A non-negative integer amount in minor units: a JSON integer or a string of digits, never a float. */
export function IsMinorAmount(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isMinorAmount',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be a non-negative integer amount in minor units (at most ${MAX_MINOR})`,
        ...options,
      },
      validator: {
        validate: (v: unknown) =>
          ((typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) ||
            (typeof v === 'string' && /^\d{1,15}$/.test(v))) &&
          BigInt(v) <= MAX_MINOR,
      },
    });
}

export const minorOrNull = (v: string | number | null | undefined): string | null =>
  v === null || v === undefined ? null : BigInt(v).toString();

/** No control characters (a NUL would not even reach Postgres): for names, notes and references. */
export const NoControlChars = (each = false) =>
  Matches(/^[^\p{Cc}]*$/u, { message: '$property must not contain control characters', each });
