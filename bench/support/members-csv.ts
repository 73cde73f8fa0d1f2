import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { IMPORT_COLUMNS } from '@siyu/members';

/** What a generated file should do to a fresh brand, and to it again on a second import. */
export interface MembersCsvExpectation {
  rows: number;
  bytes: number;
  /** Rows with a problem the import must report (one or more errors each) and skip. */
  bad: number;
  /** Good rows naming a person an earlier row of the file already named (updates, not inserts). */
  repeats: number;
  /** Members the first import creates: good rows less repeats. */
  members: number;
  /** Rows per bad-row kind, for the record. */
  badByKind: Record<string, number>;
}

/** One row in 200 is bad, one in 100 repeats the person of the row 17 lines earlier. */
const BAD_EVERY = 200;
const BAD_AT = 123;
const REPEAT_EVERY = 100;
const REPEAT_AT = 37;
const REPEAT_OF = 17;

/**
 * Which rows of a generated file are bad and which repeat an earlier row's person (0-based row
 * `i`, file line `i + 2`): `i % badEvery === badAt` is bad, else `i % repeatEvery === repeatAt`
 * names the person of row `i - repeatOf` again. The bench's floor uses it to write the file's
 * members without resolving them.
 */
export const MEMBERS_CSV_ROWS = {
  badEvery: BAD_EVERY,
  badAt: BAD_AT,
  repeatEvery: REPEAT_EVERY,
  repeatAt: REPEAT_AT,
  repeatOf: REPEAT_OF,
} as const;

const BAD_KINDS = [
  'phone',
  'identity',
  'birthday',
  'source_channel',
  'app_id',
  'consent',
  'external_userid',
] as const;

const CHANNELS: Array<[string, number]> = [
  ['wecom', 30],
  ['wechat_oa', 15],
  ['douyin', 18],
  ['Douyin', 2],
  ['xiaohongshu', 10],
  ['taobao', 8],
  ['store', 7],
  ['bilibili', 4],
  ['wechat_channels', 3],
  ['', 3],
];
const APP_IDS = ['wx8f3a9c2b1d4e5f60', 'wx1b2c3d4e5f607182', 'wxa0b1c2d3e4f5a6b7'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡'];
const GIVEN = [
  '小明',
  '丽',
  '伟',
  '芳',
  '静',
  '强',
  '敏',
  '磊',
  '婷',
  '洋',
  '雪',
  '晨',
  '佳怡',
  '子涵',
  '一诺',
];
const LATIN = ['Lily', 'Amy', 'Kevin', 'Coco', 'Jason', 'Vivian', 'Momo', 'Tony'];
const CITIES = [
  '上海',
  '北京',
  '杭州',
  '深圳',
  '广州',
  '成都',
  '南京',
  '武汉',
  '西安',
  '重庆',
  'Hong Kong',
  '',
];
const TAGS = [
  'VIP',
  '高净值',
  '茶友',
  '复购',
  '直播粉',
  '新客',
  'tea-lover',
  'repeat-buyer',
  'KOC',
  '双11',
  '618',
];
const UTM_SOURCES = ['douyin', 'xhs', 'wechat', 'bilibili', 'weibo'];
const UTM_CAMPAIGNS = ['spring-2025', 'double-11', '618-warmup', 'live-0312', 'new-tea'];

/** A 32-bit integer hash (murmur3's finaliser): deterministic per (n, salt), well spread. */
function mix(n: number, salt: number): number {
  let h = (n ^ Math.imul(salt, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `len` pseudo-random base-62 characters, then `n` in base 36 so the token is unique per person. */
function token(prefix: string, n: number, salt: number, len: number): string {
  let s = prefix;
  for (let i = 0; i < len; i++) s += B62[mix(n, salt * 31 + i) % 62];
  return s + n.toString(36).padStart(5, '0');
}

const pct = (n: number, salt: number) => mix(n, salt) % 100;

function weighted(options: Array<[string, number]>, n: number, salt: number): string {
  let roll = pct(n, salt);
  for (const [value, weight] of options) {
    if (roll < weight) return value;
    roll -= weight;
  }
  return options[options.length - 1][0];
}

const pick = <T>(list: readonly T[], n: number, salt: number): T => list[mix(n, salt) % list.length];

function cell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** A person's identities; the same person always has the same ones. */
function identities(p: number) {
  const has = {
    external: pct(p, 1) < 65,
    union: pct(p, 2) < 70,
    openid: pct(p, 3) < 30,
    phone: pct(p, 4) < 65,
    store: pct(p, 5) < 25,
  };
  if (!has.external && !has.union && !has.openid && !has.phone && !has.store) has.union = true;
  // A unique nine-digit tail per person (7919 is prime to 10^9), behind a 13x/18x mobile prefix.
  const tail = String((p * 7919) % 1_000_000_000).padStart(9, '0');
  const national = `1${pct(p, 6) < 50 ? '3' : '8'}${tail}`;
  // Hong Kong mobiles 64xx xxxx and 65xx xxxx (all assigned), unique for the first two million people.
  const hongKong = pct(p, 7) < 1 && p < 2_000_000;
  const hk = `6${4 + Math.floor(p / 1_000_000)}${String(p % 1_000_000).padStart(6, '0')}`;
  return {
    has,
    external: token('wm', p, 11, 22),
    union: token('o6_bm', p, 12, 18),
    openid: token('oX', p, 13, 21),
    appId: pick(APP_IDS, p, 14),
    // Mainland numbers in the forms people type them; one in a hundred is a Hong Kong mobile.
    phone: (variant: number) => {
      if (hongKong) return `+852 ${hk.slice(0, 4)} ${hk.slice(4)}`;
      switch (variant % 20) {
        case 0:
        case 1:
          return `+86 ${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`;
        case 2:
          return `${national.slice(0, 3)}-${national.slice(3, 7)}-${national.slice(7)}`;
        default:
          return variant % 20 < 8 ? `+86${national}` : national;
      }
    },
    store: `S${(1_000_000 + p).toString()}`,
  };
}

/** The CSV record of row `i` (0-based; file line i + 2) for person `p`. */
function record(i: number, p: number, repeat: boolean, bad: (typeof BAD_KINDS)[number] | null): string[] {
  const id = identities(p);
  const r: Record<string, string> = {};
  if (id.has.external) r.external_userid = id.external;
  if (id.has.union) r.unionid = id.union;
  if (id.has.openid) {
    r.openid = id.openid;
    r.app_id = id.appId;
  }
  // A repeat names the same person in another phone format, and adds the store id.
  if (id.has.phone) r.phone = id.phone(repeat ? mix(p, 15) + 7 : mix(p, 15));
  if (id.has.store || repeat) r.store_customer_id = id.store;

  const nick = pct(i, 20);
  if (nick < 70) r.nickname = `${pick(SURNAMES, i, 21)}${pick(GIVEN, i, 22)}`;
  else if (nick < 85) r.nickname = `${pick(LATIN, i, 23)} ${pick(SURNAMES, i, 21)}`;
  else if (nick < 90) r.nickname = `🍵${pick(GIVEN, i, 22)}的茶`;
  else if (nick < 93) r.nickname = `${pick(LATIN, i, 23)}, "${pick(GIVEN, i, 22)}"`;
  r.source_channel = weighted(CHANNELS, i, 24);
  r.city = pick(CITIES, i, 25);
  if (pct(i, 26) < 60) {
    const y = 1960 + (mix(i, 27) % 47);
    const m = 1 + (mix(i, 28) % 12);
    const d = 1 + (mix(i, 29) % 28);
    r.birthday = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  }
  const tagCount = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3][mix(i, 30) % 12];
  r.tags = Array.from(new Set(Array.from({ length: tagCount }, (_, k) => pick(TAGS, i, 31 + k)))).join('|');
  const consent = pct(i, 35);
  r.consent = consent < 55 ? 'opted_in' : consent < 60 ? 'opted_out' : '';
  const joined = pct(i, 36);
  if (joined < 80) {
    const day = `2025-${String(1 + (mix(i, 37) % 9)).padStart(2, '0')}-${String(1 + (mix(i, 38) % 28)).padStart(2, '0')}`;
    r.joined_at =
      joined < 40 ? `${day}T10:00:00+08:00` : joined < 70 ? `${day}T02:00:00Z` : `${day} 10:00:00`;
  }
  if (pct(i, 39) < 25) {
    r.utm_source = pick(UTM_SOURCES, i, 40);
    r.utm_medium = 'social';
    r.utm_campaign = pick(UTM_CAMPAIGNS, i, 41);
    if (pct(i, 42) < 40) r.utm_content = `post-${mix(i, 43) % 500}`;
    if (pct(i, 44) < 20) r.utm_term = pick(TAGS, i, 45);
  }

  switch (bad) {
    case 'phone':
      r.phone = '12345';
      break;
    case 'identity':
      for (const c of ['external_userid', 'unionid', 'openid', 'app_id', 'phone', 'store_customer_id'])
        delete r[c];
      break;
    case 'birthday':
      r.birthday = '1990-02-30';
      break;
    case 'source_channel':
      r.source_channel = 'weibo';
      break;
    case 'app_id':
      r.openid = id.openid;
      delete r.app_id;
      break;
    case 'consent':
      r.consent = 'yes';
      break;
    case 'external_userid':
      r.external_userid = `wm bad ${i}`;
      break;
    case null:
      break;
  }
  return IMPORT_COLUMNS.map((c) => cell(r[c] ?? ''));
}

/**
 * Writes a realistic members CSV of `rows` rows (every documented column) to `path`, streamed.
 * Identities mix WeCom external_userid, unionid, openid with app_id, phones (mainland numbers
 * with and without +86, spaced or dashed, a few Hong Kong ones) and store ids; nicknames are
 * mostly Chinese, some quoted; channels, cities, birthdays, tags, consent, join times (with and
 * without an offset) and UTM vary by row. One row in 200 is bad in one of seven ways; one in 100
 * names the person of an earlier row again. Every row has the header's width, so a bare COPY
 * (FORMAT csv) can load the same file.
 */
export async function writeMembersCsv(path: string, rows: number): Promise<MembersCsvExpectation> {
  const out = createWriteStream(path);
  let bytes = 0;
  let buffer = `${IMPORT_COLUMNS.join(',')}\n`;
  const flush = async () => {
    bytes += Buffer.byteLength(buffer);
    if (!out.write(buffer)) await once(out, 'drain');
    buffer = '';
  };
  const badByKind: Record<string, number> = {};
  let bad = 0;
  let repeats = 0;
  for (let i = 0; i < rows; i++) {
    let kind: (typeof BAD_KINDS)[number] | null = null;
    let person = i;
    let repeat = false;
    if (i % BAD_EVERY === BAD_AT) {
      kind = BAD_KINDS[Math.floor(i / BAD_EVERY) % BAD_KINDS.length];
      badByKind[kind] = (badByKind[kind] ?? 0) + 1;
      bad++;
    } else if (i % REPEAT_EVERY === REPEAT_AT) {
      person = i - REPEAT_OF; // never a bad row nor a repeat itself
      repeat = true;
      repeats++;
    }
    buffer += `${record(i, person, repeat, kind).join(',')}\n`;
    if (buffer.length > 65_536) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return { rows, bytes, bad, repeats, members: rows - bad - repeats, badByKind };
}
