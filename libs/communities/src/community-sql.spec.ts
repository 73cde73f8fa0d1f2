import {
  groupAudienceSql,
  groupMembershipSql,
  groupSelectorSql,
  wecomContactSql,
  wecomContactTargetSql,
} from './community-sql';

describe('communities SQL fragments', () => {
  it('append their values to the caller’s parameters and refer to them by position', () => {
    const params: unknown[] = ['brand'];
    const sql = groupMembershipSql('m', params, { chatIds: ['wr1'], tagIds: ['t1'] });
    expect(params).toEqual(['brand', ['wr1'], ['t1']]);
    expect(sql).toContain('cg_g.chat_id = ANY($2::text[])');
    expect(sql).toContain('cg_tl.tag_id = ANY($3::uuid[])');
    expect(sql).toMatch(/^EXISTS \(/);
    expect(sql).toContain('cg_m.member_id = m.id AND cg_m.brand_id = m.brand_id');
  });

  it('membership means "in it now" unless activeOnly is false; no list means any group', () => {
    const now = groupMembershipSql('mm', []);
    expect(now).toContain('cg_m.left_at IS NULL');
    expect(now).toContain(`cg_g.status = 'active'`);
    const ever = groupMembershipSql('mm', [], { activeOnly: false, groupIds: ['g'] });
    expect(ever).not.toContain('left_at');
    expect(ever).toContain('cg_g.id = ANY($1::uuid[])');
  });

  it('several lists are OR-ed; none gives no predicate', () => {
    const params: unknown[] = [];
    expect(groupSelectorSql('g', params, { groupIds: ['a'], chatIds: ['b'] })).toBe(
      '(g.id = ANY($1::uuid[]) OR g.chat_id = ANY($2::text[]))',
    );
    expect(groupSelectorSql('g', [], {})).toBeNull();
  });

  it('a group audience with no selection selects nothing, unless all is asked for', () => {
    const params: unknown[] = [];
    expect(groupAudienceSql('b1', {}, params)).toContain('AND false');
    expect(params).toEqual(['b1']);
    const all = groupAudienceSql('b1', {}, [], { all: true, ownerActiveOnly: false });
    expect(all).not.toContain('false');
    expect(all).not.toMatch(/AND cg_s\.active/);
    expect(groupAudienceSql('b1', {}, [])).toMatch(/AND cg_s\.active/);
  });

  it('contact fragments filter by staff when asked', () => {
    const params: unknown[] = [];
    expect(wecomContactSql('m', params, { staffUserIds: ['s1'] })).toContain('cf_s.userid = ANY($1::text[])');
    expect(params).toEqual([['s1']]);
    expect(wecomContactTargetSql('m')).toContain('LIMIT 1');
  });

  it('refuse aliases that are not plain identifiers or that collide with their own', () => {
    expect(() => groupMembershipSql('m; DROP TABLE members', [])).toThrow(/alias/);
    expect(() => groupMembershipSql('cg_m', [])).toThrow(/alias/);
    expect(() => wecomContactSql('cf_f', [])).toThrow(/alias/);
  });
});
