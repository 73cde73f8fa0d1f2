import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * WeCom's callback XML: a flat `<xml>` of elements, strings in CDATA, lists as repeated `<Item>`.
 * Parsed with fast-xml-parser: values kept as strings (an ExternalUserID must never become a
 * number), `Item` always an array, attributes ignored. A DOCTYPE is refused before parsing (WeCom
 * never sends one; refusing it rules out entity-expansion tricks).
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => name === 'Item',
});

export type CallbackFields = Record<string, unknown>;

export class CallbackXmlError extends Error {}

export function parseCallbackXml(xml: string): CallbackFields {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new CallbackXmlError('DOCTYPE and ENTITY declarations are not accepted');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new CallbackXmlError(`not well-formed XML: ${valid.err.msg}`);
  const doc = parser.parse(xml) as { xml?: unknown };
  if (!doc.xml || typeof doc.xml !== 'object' || Array.isArray(doc.xml))
    throw new CallbackXmlError('the document has no <xml> root with fields');
  return doc.xml as CallbackFields;
}

/** Free-text or personal fields that are not kept in the stored event (ids are kept: handlers need them). */
const PERSONAL = new Set([
  'Content',
  'Mobile',
  'Email',
  'Name',
  'NickName',
  'Nickname',
  'RealName',
  'Remark',
  'Address',
  'Avatar',
  'Alias',
  'Description',
]);

export function redactCallbackFields(fields: CallbackFields): CallbackFields {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, PERSONAL.has(k) ? '[redacted]' : walk(x)]),
      );
    return v;
  };
  return walk(fields) as CallbackFields;
}
