import type { ChannelKind, ChannelMessage } from '@siyu/channels';
import type { FieldError } from '@siyu/platform';

/**
 * Campaign content: a channel message whose strings may hold variables, resolved per recipient.
 *
 * - `{{member.nickname}}`, `{{member.city}}`: the member's field; `{{member.nickname|朋友}}` gives a
 *   fallback for members without one (else the empty string).
 * - `{{link:<tracked-link-id>}}`, `{{coupon:<coupon-template-id>}}`: a value per recipient from the
 *   lib that owns links or coupons (a `CampaignVariableResolver`).
 *
 * Variables are allowed in the text, in link attachments (title, desc, url) and in an OA message's
 * data values and url. Group-chat campaigns go to whole groups, so member variables are refused there.
 */

export const MEMBER_FIELDS = ['nickname', 'city'] as const;
export type MemberField = (typeof MEMBER_FIELDS)[number];

export type ParsedVariable =
  { kind: 'member'; field: MemberField; fallback: string } | { kind: 'ref'; ref: string; id: string };
export type Variable = ParsedVariable & { raw: string };

const VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses one `{{…}}` body; a string is the reason it is not a variable Siyu knows. */
export function parseVariable(body: string): ParsedVariable | string {
  const member = /^member\.([a-z_]+)(?:\|(.*))?$/s.exec(body);
  if (member) {
    const field = member[1] as MemberField;
    if (!MEMBER_FIELDS.includes(field))
      return `unknown member field "${member[1]}"; use ${MEMBER_FIELDS.map((f) => `member.${f}`).join(', ')}`;
    return { kind: 'member', field, fallback: member[2] ?? '' };
  }
  const ref = /^([a-z]+):(.*)$/s.exec(body);
  if (ref) {
    if (!UUID.test(ref[2].trim())) return `${ref[1]}: needs an id (a UUID), got "${ref[2]}"`;
    return { kind: 'ref', ref: ref[1], id: ref[2].trim().toLowerCase() };
  }
  return `unknown variable "{{${body}}}"`;
}

/** Every string of a message that may hold variables, with its field path. */
export function templatedStrings(message: ChannelMessage, path = 'message'): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (typeof message.text === 'string') out.push([`${path}.text`, message.text]);
  message.attachments?.forEach((a, i) => {
    if (a?.msgtype !== 'link' || !a.link) return;
    for (const k of ['title', 'desc', 'url'] as const) {
      const v = a.link[k];
      if (typeof v === 'string') out.push([`${path}.attachments[${i}].link.${k}`, v]);
    }
  });
  const oa = message.oa;
  if (oa?.data && typeof oa.data === 'object') {
    for (const [k, v] of Object.entries(oa.data)) {
      if (typeof v?.value === 'string') out.push([`${path}.oa.data.${k}.value`, v.value]);
    }
  }
  if (oa?.kind === 'template' && typeof oa.url === 'string') out.push([`${path}.oa.url`, oa.url]);
  return out;
}

export interface MessageVariables {
  variables: Variable[];
  errors: FieldError[];
}

/** The variables a message uses (each once), and the field errors of those Siyu cannot resolve. */
export function messageVariables(message: ChannelMessage, path = 'message'): MessageVariables {
  const seen = new Map<string, Variable>();
  const errors: FieldError[] = [];
  for (const [field, value] of templatedStrings(message, path)) {
    for (const match of value.matchAll(VARIABLE)) {
      const parsed = parseVariable(match[1]);
      if (typeof parsed === 'string') errors.push({ field, message: parsed });
      else if (!seen.has(match[0])) seen.set(match[0], { ...parsed, raw: match[0] } as Variable);
    }
  }
  return { variables: [...seen.values()], errors };
}

/** Member variables are personal: a group-chat broadcast cannot carry them. */
export function channelVariableErrors(
  channel: ChannelKind,
  variables: Variable[],
  path = 'message',
): FieldError[] {
  if (channel !== 'wecom_group') return [];
  return variables
    .filter((v) => v.kind === 'member')
    .map((v) => ({
      field: path,
      message: `${v.raw} is personal; a group-chat campaign is sent to whole groups`,
    }));
}

/** True when two recipients may get different text (so one shared WeCom call cannot carry both). */
export const isPersonal = (variables: Variable[]) => variables.length > 0;

/** Replaces every variable in the message's templated strings with `value(variable)`. */
export function renderMessage(message: ChannelMessage, value: (v: Variable) => string): ChannelMessage {
  const render = (s: string) =>
    s.replace(VARIABLE, (raw, body: string) => {
      const parsed = parseVariable(body);
      return typeof parsed === 'string' ? raw : value({ ...parsed, raw } as Variable);
    });
  const out: ChannelMessage = {};
  if (message.text !== undefined) out.text = render(message.text);
  if (message.attachments)
    out.attachments = message.attachments.map((a) =>
      a.msgtype === 'link'
        ? {
            msgtype: 'link',
            link: {
              ...a.link,
              title: render(a.link.title),
              url: render(a.link.url),
              ...(a.link.desc !== undefined ? { desc: render(a.link.desc) } : {}),
            },
          }
        : a,
    );
  if (message.oa) {
    const data = Object.fromEntries(
      Object.entries(message.oa.data ?? {}).map(([k, v]) => [k, { ...v, value: render(v.value) }]),
    );
    out.oa =
      message.oa.kind === 'template' && message.oa.url !== undefined
        ? { ...message.oa, data, url: render(message.oa.url) }
        : { ...message.oa, data };
  }
  return out;
}

/** A member's values for member variables. */
export interface MemberValues {
  nickname: string | null;
  city: string | null;
}

export function memberValue(v: Extract<Variable, { kind: 'member' }>, member: MemberValues | null): string {
  const value = member?.[v.field];
  return value ? value : v.fallback;
}

/**
 * SQL of the variant index for a recipient key (uuid expression) of the campaign bound at
 * `campaignParam`: a bucket 0–9999 from a hash of campaign and recipient, cut by the variants'
 * cumulative weights. Deterministic: the same recipient always lands in the same variant.
 */
export function variantSql(keyExpr: string, campaignParam: string, weights: number[]): string {
  if (weights.length <= 1) return '0';
  const total = weights.reduce((a, b) => a + b, 0);
  const bucket = `((hashtextextended(${campaignParam}::text || ${keyExpr}::text, 0) % 10000 + 10000) % 10000)`;
  let acc = 0;
  const cases = weights.slice(0, -1).map((w, i) => {
    acc += w;
    return `WHEN ${bucket} * ${total} < ${acc * 10_000} THEN ${i}`;
  });
  return `(CASE ${cases.join(' ')} ELSE ${weights.length - 1} END)`;
}
