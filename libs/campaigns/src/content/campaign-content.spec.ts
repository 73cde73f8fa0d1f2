import {
  channelVariableErrors,
  memberValue,
  messageVariables,
  parseVariable,
  renderMessage,
  variantSql,
} from './campaign-content';

const LINK = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('campaign content variables', () => {
  it('parses member fields with fallbacks and id references, and names what it cannot read', () => {
    expect(parseVariable('member.nickname')).toEqual({ kind: 'member', field: 'nickname', fallback: '' });
    expect(parseVariable('member.nickname|朋友')).toEqual({
      kind: 'member',
      field: 'nickname',
      fallback: '朋友',
    });
    expect(parseVariable(`link:${LINK}`)).toEqual({ kind: 'ref', ref: 'link', id: LINK });
    expect(parseVariable('member.phone')).toMatch(/unknown member field "phone"/);
    expect(parseVariable('link:abc')).toMatch(/needs an id/);
    expect(parseVariable('hello')).toMatch(/unknown variable/);
  });

  it('finds variables in the text, link cards and OA data, each once, with the field that holds it', () => {
    const { variables, errors } = messageVariables({
      text: 'Hi {{member.nickname|朋友}}, {{ member.nickname|朋友 }} see {{link:' + LINK + '}} {{oops}}',
      attachments: [
        { msgtype: 'link', link: { title: '{{member.city}} sale', url: 'https://x.cn/{{member.city}}' } },
      ],
    });
    expect(variables.map((v) => v.raw)).toEqual([
      '{{member.nickname|朋友}}',
      '{{ member.nickname|朋友 }}',
      `{{link:${LINK}}}`,
      '{{member.city}}',
    ]);
    expect(errors).toEqual([{ field: 'message.text', message: 'unknown variable "{{oops}}"' }]);
    const oa = messageVariables(
      { oa: { kind: 'template', templateId: 't', data: { first: { value: '{{member.nickname}}' } } } },
      'variants[1].message',
    );
    expect(oa.variables).toHaveLength(1);
    expect(
      messageVariables({ oa: { kind: 'template', templateId: 't', data: { a: { value: '{{x}}' } } } }).errors,
    ).toEqual([{ field: 'message.oa.data.a.value', message: 'unknown variable "{{x}}"' }]);
  });

  it('refuses member variables in group-chat campaigns only', () => {
    const { variables } = messageVariables({ text: '{{member.nickname}} {{link:' + LINK + '}}' });
    expect(channelVariableErrors('wecom_group', variables)).toEqual([
      {
        field: 'message',
        message: '{{member.nickname}} is personal; a group-chat campaign is sent to whole groups',
      },
    ]);
    expect(channelVariableErrors('wecom_single', variables)).toEqual([]);
    expect(channelVariableErrors('oa', variables)).toEqual([]);
  });

  it('renders every templated string per recipient and leaves the rest alone', () => {
    const message = {
      text: '{{member.nickname|朋友}}, your code {{coupon:' + LINK + '}}',
      attachments: [
        {
          msgtype: 'link' as const,
          link: { title: 'For {{member.nickname}}', url: 'https://x.cn/{{link:' + LINK + '}}' },
        },
        { msgtype: 'image' as const, image: { pic_url: 'https://x.cn/{{member.nickname}}.png' } },
      ],
    };
    const out = renderMessage(message, (v) =>
      v.kind === 'member' ? memberValue(v, { nickname: null, city: 'Hangzhou' }) : `${v.ref}-value`,
    );
    expect(out).toEqual({
      text: '朋友, your code coupon-value',
      attachments: [
        { msgtype: 'link', link: { title: 'For ', url: 'https://x.cn/link-value' } },
        { msgtype: 'image', image: { pic_url: 'https://x.cn/{{member.nickname}}.png' } },
      ],
    });
    expect(message.text).toContain('{{member.nickname|朋友}}');
  });

  it('builds the variant CASE from cumulative weights, and 0 for a single variant', () => {
    expect(variantSql('r.k', '$1', [100])).toBe('0');
    const sql = variantSql('r.k', '$1', [20, 30, 50]);
    expect(sql).toContain('* 100 < 200000 THEN 0');
    expect(sql).toContain('* 100 < 500000 THEN 1');
    expect(sql).toMatch(/ELSE 2 END\)$/);
  });
});
