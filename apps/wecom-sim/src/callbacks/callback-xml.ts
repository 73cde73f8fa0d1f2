/** A callback event as the test or demo gives it: WeCom's XML element names mapped to values. */
export type XmlValue = string | number | boolean | XmlValue[] | { [name: string]: XmlValue };
export type XmlFields = Record<string, XmlValue>;

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function cdata(text: string): string {
  return `<![CDATA[${text.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

function element(name: string, value: XmlValue): string {
  if (!NAME.test(name)) throw new Error(`invalid XML element name "${name}"`);
  if (Array.isArray(value))
    return `<${name}>${value.map((item) => element('Item', item)).join('')}</${name}>`;
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => element(k, v))
      .join('')}</${name}>`;
  }
  const text = typeof value === 'string' ? cdata(value) : String(value);
  return `<${name}>${text}</${name}>`;
}

/** `<xml>` with one element per field, strings in CDATA and numbers bare, as WeCom writes them. */
export function buildXml(fields: XmlFields): string {
  return `<xml>${Object.entries(fields)
    .map(([name, value]) => element(name, value))
    .join('')}</xml>`;
}

/** The encrypted envelope WeCom POSTs to the callback URL. */
export function buildEnvelopeXml(toUserName: string, encrypt: string, agentId: string): string {
  return buildXml({ ToUserName: toUserName, Encrypt: encrypt, AgentID: agentId });
}
