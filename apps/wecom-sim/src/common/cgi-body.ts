import { WecomErrcode, WecomError } from '../wecom-errors';

/** The body parser's marker for a body that is not JSON (the handlers answer 47001). */
export const INVALID_JSON: unique symbol = Symbol('invalid-json');

export type JsonObject = Record<string, unknown>;

/** A /cgi-bin request body as a JSON object, or 47001 as the real servers answer. */
export function jsonObject(body: unknown): JsonObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new WecomError(
      WecomErrcode.DATA_FORMAT_ERROR,
      body === INVALID_JSON ? 'body is not JSON' : 'body must be a JSON object',
    );
  }
  return body as JsonObject;
}

export function optionalString(obj: JsonObject, field: string, maxLength = Infinity): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw WecomError.invalid(`${field} must be a string`);
  if (value.length > maxLength) throw WecomError.invalid(`${field} is longer than ${maxLength}`);
  return value;
}

export function requiredString(
  obj: JsonObject,
  field: string,
  maxLength = Infinity,
  errcode: number = WecomErrcode.INVALID_PARAMETER,
): string {
  const value = optionalString(obj, field, maxLength);
  if (!value) throw new WecomError(errcode, `${field} is required`);
  return value;
}

export function optionalStringArray(obj: JsonObject, field: string, maxItems: number): string[] | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw WecomError.invalid(`${field} must be an array of non-empty strings`);
  }
  if (value.length > maxItems) throw WecomError.invalid(`${field} holds more than ${maxItems} items`);
  return value as string[];
}

export function optionalInt(obj: JsonObject, field: string, min: number, max: number): number | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw WecomError.invalid(`${field} must be an integer from ${min} to ${max}`);
  }
  return n;
}

export function optionalObject(obj: JsonObject, field: string): JsonObject | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw WecomError.invalid(`${field} must be an object`);
  return value as JsonObject;
}

/** Offset cursors: the simulator's lists are insertion-ordered, so an offset is a stable cursor. */
export function parseCursor(obj: JsonObject): number {
  const cursor = optionalString(obj, 'cursor');
  if (!cursor) return 0;
  if (!/^\d+$/.test(cursor)) throw WecomError.invalid('cursor is not one this server returned');
  return Number(cursor);
}

export function nextCursor(offset: number, taken: number, total: number): string {
  return offset + taken < total ? String(offset + taken) : '';
}
