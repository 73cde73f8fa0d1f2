import { destinationProblem, hostAllowed, normaliseDomain, withUtm } from './destination';
import { randomLinkCode } from './link-codes';

describe('destinations', () => {
  const allowed = ['shop.example.com', 'xn--fiqs8s.cn'];

  it('allows the domains and their subdomains only', () => {
    expect(hostAllowed('shop.example.com', allowed)).toBe(true);
    expect(hostAllowed('m.shop.example.com', allowed)).toBe(true);
    expect(hostAllowed('evilshop.example.com', allowed)).toBe(false);
    expect(hostAllowed('shop.example.com.evil.net', allowed)).toBe(false);
    expect(normaliseDomain(' 中国.CN. ')).toBe('xn--fiqs8s.cn');
    expect(destinationProblem('https://中国.cn/a', allowed)).toBeNull();
  });

  it('refuses other schemes, credentials and hosts, saying why', () => {
    expect(destinationProblem('javascript:alert(1)', allowed)).toMatch(/http/);
    expect(destinationProblem('https://shop.example.com@evil.net/', allowed)).not.toBeNull();
    expect(destinationProblem('https://evil.net/?next=shop.example.com', allowed)).toMatch(/evil\.net/);
    expect(destinationProblem('https://u:p@shop.example.com/', allowed)).toMatch(/credentials/);
    expect(destinationProblem('shop.example.com/x', allowed)).toMatch(/absolute/);
  });

  it('appends UTM without touching the destination’s own query or fragment', () => {
    expect(withUtm('https://a.com/p', { source: 'wecom' })).toBe('https://a.com/p?utm_source=wecom');
    expect(withUtm('https://a.com/p?x=a%20b&y=+', { source: 'w', medium: 'm' })).toBe(
      'https://a.com/p?x=a%20b&y=+&utm_source=w&utm_medium=m',
    );
    expect(withUtm('https://a.com/p?utm_source=own#top', { source: 'w', term: '茶' })).toBe(
      'https://a.com/p?utm_source=own&utm_term=%E8%8C%B6#top',
    );
    expect(withUtm('https://a.com/p?', { content: 'c' })).toBe('https://a.com/p?utm_content=c');
    expect(withUtm('https://a.com/p#x', {})).toBe('https://a.com/p#x');
  });

  it('makes base62 codes of ten characters', () => {
    const codes = new Set(Array.from({ length: 1000 }, () => randomLinkCode()));
    expect(codes.size).toBe(1000);
    for (const c of codes) expect(c).toMatch(/^[0-9A-Za-z]{10}$/);
  });
});
