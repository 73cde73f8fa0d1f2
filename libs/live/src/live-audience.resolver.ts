import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AudienceRegistry, AudienceResolver } from '@siyu/members';
import { DataSource } from 'typeorm';
import { LiveSession } from './entities/live-session.entity';
import { LIVE_AUDIENCE } from './live.constants';
import { LiveException } from './live.errors';

/**
 * `live_session` audiences for campaigns: `<sessionId>` is the union of the session's targeted
 * segments; `<sessionId>:rsvp` adds the members who RSVP'd. One SELECT with UNION, so a member in a
 * segment who also RSVP'd is one recipient; it is resolved when the campaign snapshots its audience,
 * so RSVPs made until then are reached.
 */
@Injectable()
export class LiveAudienceResolver implements AudienceResolver, OnModuleInit {
  readonly kind = LIVE_AUDIENCE;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly registry: AudienceRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async resolve(brandId: string, ref: string, params: unknown[]): Promise<string> {
    const [sessionId, extra] = ref.split(':');
    const session = /^[0-9a-f-]{36}$/i.test(sessionId)
      ? await this.ds.getRepository(LiveSession).findOneBy({ id: sessionId, brandId })
      : null;
    if (!session || (extra !== undefined && extra !== 'rsvp')) throw LiveException.notFound(ref);
    const parts: string[] = [];
    const segment = this.registry.get('segment');
    for (const segmentId of session.segmentIds) {
      if (!segment) break;
      try {
        parts.push(`SELECT member_id FROM (${await segment.resolve(brandId, segmentId, params)}) s`);
      } catch (err) {
        // A segment deleted since the session was planned reaches no one; the others still count.
        if ((err as { status?: number }).status !== 404) throw err;
      }
    }
    if (extra === 'rsvp') {
      params.push(brandId, session.id);
      parts.push(
        `SELECT member_id FROM live_rsvps WHERE brand_id = $${params.length - 1}::uuid AND session_id = $${params.length}::uuid`,
      );
    }
    if (parts.length === 0) return `SELECT NULL::uuid AS member_id WHERE false`;
    return parts.join('\nUNION\n');
  }
}
