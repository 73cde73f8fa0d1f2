import { buildEnvelopeXml, buildXml } from './callback-xml';

describe('callback XML', () => {
  it('writes strings in CDATA and numbers bare, in the given order', () => {
    expect(
      buildXml({ ToUserName: 'ww1', CreateTime: 1700000000, Event: 'change_external_chat', JoinScene: 1 }),
    ).toBe(
      '<xml><ToUserName><![CDATA[ww1]]></ToUserName><CreateTime>1700000000</CreateTime>' +
        '<Event><![CDATA[change_external_chat]]></Event><JoinScene>1</JoinScene></xml>',
    );
  });

  it('splits a "]]>" inside text so the CDATA section cannot be closed early', () => {
    const xml = buildXml({ Name: 'a]]>b' });
    expect(xml).toBe('<xml><Name><![CDATA[a]]]]><![CDATA[>b]]></Name></xml>');
  });

  it('writes arrays as repeated Item elements and objects as nested elements', () => {
    expect(buildXml({ MemChangeList: ['wm1', 'wm2'], Detail: { A: 1 } })).toBe(
      '<xml><MemChangeList><Item><![CDATA[wm1]]></Item><Item><![CDATA[wm2]]></Item></MemChangeList>' +
        '<Detail><A>1</A></Detail></xml>',
    );
  });

  it('refuses element names that would break the document', () => {
    expect(() => buildXml({ 'a><b': 'x' })).toThrow(/element name/);
  });

  it('builds the encrypted envelope', () => {
    expect(buildEnvelopeXml('ww1', 'ENC', '1000002')).toBe(
      '<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[ENC]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>',
    );
  });
});
