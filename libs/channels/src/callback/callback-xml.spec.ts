import { buildXml } from '../../../../apps/wecom-sim/src';
import { parseCallbackXml, redactCallbackFields } from './callback-xml';

describe('callback XML', () => {
  it('parses WeCom events with values kept as strings and Item lists as arrays', () => {
    const xml = buildXml({
      ToUserName: 'wwCorp',
      CreateTime: 1700000000,
      Event: 'change_external_chat',
      ChatId: 'wr123',
      ExternalUserID: '0012345',
      MemChangeList: ['wmA'],
    });
    expect(parseCallbackXml(xml)).toEqual({
      ToUserName: 'wwCorp',
      CreateTime: '1700000000',
      Event: 'change_external_chat',
      ChatId: 'wr123',
      ExternalUserID: '0012345',
      MemChangeList: { Item: ['wmA'] },
    });
  });

  it('refuses DOCTYPEs, malformed XML and documents without <xml>', () => {
    expect(() => parseCallbackXml('<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>')).toThrow(/DOCTYPE/);
    expect(() => parseCallbackXml('<xml><A>1</xml>')).toThrow(/well-formed/);
    expect(() => parseCallbackXml('<other><A>1</A></other>')).toThrow(/<xml>/);
  });

  it('redacts free-text personal fields and keeps ids', () => {
    expect(
      redactCallbackFields({ ExternalUserID: 'wm1', Remark: '张三', Nested: { Mobile: '138' } }),
    ).toEqual({
      ExternalUserID: 'wm1',
      Remark: '[redacted]',
      Nested: { Mobile: '[redacted]' },
    });
  });
});
