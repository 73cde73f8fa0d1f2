import { Injectable, PipeTransform } from '@nestjs/common';
import { ValidationException } from '@siyu/platform';

/** An invite code in a path: 1–16 lower-case letters and digits, else 400 naming `code`. */
@Injectable()
export class BadRequestParam implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !/^[a-z0-9]{1,16}$/.test(value))
      throw new ValidationException([
        { field: 'code', message: 'code must be 1–16 lower-case letters and digits' },
      ]);
    return value;
  }
}
