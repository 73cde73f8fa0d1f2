import { instantToLocal } from '@siyu/campaigns';
import type { LiveProduct } from '../entities/live-product.entity';
import type { LiveSession } from '../entities/live-session.entity';
import type { LivePlatform, LiveStatus } from '../live.constants';
import type { ReminderView } from '../live-reminders.service';

/** A session as the API shows it: instants in UTC and in the brand's zone, with its reminders. */
export class LiveSessionResponseDto {
  id: string;
  title: string;
  platform: LivePlatform;
  roomUrl: string | null;
  finderId: string | null;
  coverImageUrl: string | null;
  host: string | null;
  status: LiveStatus;
  timeZone: string;
  plannedStartAt: string;
  plannedStartLocal: string;
  plannedEndAt: string;
  plannedEndLocal: string;
  audience: { groupIds: string[]; segmentIds: string[] };
  couponTemplateId: string | null;
  couponGraceMinutes: number;
  rsvpCount: number;
  startedAt: string | null;
  endedAt: string | null;
  cancelledAt: string | null;
  reminders?: ReminderView[];
  products?: Array<{
    id: string;
    name: string;
    priceMinor: string;
    imageUrl: string | null;
    destinationUrl: string;
    linkId: string | null;
  }>;
  createdAt: string;

  static from(
    s: LiveSession,
    zone: string,
    extra: { reminders?: ReminderView[]; products?: LiveProduct[] } = {},
  ): LiveSessionResponseDto {
    return {
      id: s.id,
      title: s.title,
      platform: s.platform,
      roomUrl: s.roomUrl,
      finderId: s.finderId,
      coverImageUrl: s.coverImageUrl,
      host: s.host,
      status: s.status,
      timeZone: zone,
      plannedStartAt: s.plannedStartAt.toISOString(),
      plannedStartLocal: instantToLocal(s.plannedStartAt, zone),
      plannedEndAt: s.plannedEndAt.toISOString(),
      plannedEndLocal: instantToLocal(s.plannedEndAt, zone),
      audience: { groupIds: s.groupIds, segmentIds: s.segmentIds },
      couponTemplateId: s.couponTemplateId,
      couponGraceMinutes: s.couponGraceMinutes,
      rsvpCount: s.rsvpCount,
      startedAt: s.startedAt?.toISOString() ?? null,
      endedAt: s.endedAt?.toISOString() ?? null,
      cancelledAt: s.cancelledAt?.toISOString() ?? null,
      ...(extra.reminders ? { reminders: extra.reminders } : {}),
      ...(extra.products
        ? {
            products: extra.products.map((p) => ({
              id: p.id,
              name: p.name,
              priceMinor: p.priceMinor,
              imageUrl: p.imageUrl,
              destinationUrl: p.destinationUrl,
              linkId: p.linkId,
            })),
          }
        : {}),
      createdAt: s.createdAt.toISOString(),
    };
  }
}
