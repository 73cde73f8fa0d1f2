import { MemberImportResponseDto } from './dto/member-import-response.dto';
import { checkHeader, IMPORT_COLUMNS, TRIMMED_CHARS } from './member-import.csv';

describe('import header', () => {
  it('accepts the documented columns in any order and case', () => {
    const { header, errors } = checkHeader(['Phone', ' nickname ', 'UNIONID']);
    expect(errors).toEqual([]);
    expect(header).toEqual({ index: { phone: 0, nickname: 1, unionid: 2 }, width: 3 });
    expect(checkHeader([...IMPORT_COLUMNS]).errors).toEqual([]);
  });

  it('names unknown and repeated columns by position', () => {
    expect(checkHeader(['unionid', 'vip', 'unionid']).errors).toEqual([
      { field: 'file.header[1]', message: expect.stringContaining('unknown column "vip"') },
      { field: 'file.header[2]', message: 'column "unionid" appears twice' },
    ]);
  });

  it('needs an identity column', () => {
    expect(checkHeader(['nickname', 'city']).errors).toEqual([
      { field: 'file.header', message: expect.stringContaining('identity column') },
    ]);
  });
});

describe('import trimming', () => {
  it('lists exactly the characters JavaScript trims, for the SQL trim to match it', () => {
    const trimmed = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter(
      (ch) => ch.trim() === '',
    );
    expect([...TRIMMED_CHARS].sort()).toEqual(trimmed.sort());
  });
});

describe('import progress', () => {
  const base = {
    id: 'i',
    filename: 'f.csv',
    byteSize: '10',
    inserted: 0,
    updated: 0,
    failed: 0,
    error: null,
    createdAt: new Date(),
    startedAt: null,
    completedAt: null,
  };

  it('is rows read over rows in the file, 100 only once completed', () => {
    expect(
      MemberImportResponseDto.from({ ...base, status: 'queued', totalRows: 200, processedRows: 0 }).percent,
    ).toBe(0);
    expect(
      MemberImportResponseDto.from({ ...base, status: 'processing', totalRows: 200, processedRows: 50 })
        .percent,
    ).toBe(25);
    expect(
      MemberImportResponseDto.from({ ...base, status: 'processing', totalRows: 200, processedRows: 200 })
        .percent,
    ).toBe(99);
    expect(
      MemberImportResponseDto.from({ ...base, status: 'completed', totalRows: 200, processedRows: 200 })
        .percent,
    ).toBe(100);
  });
});
