import { Module } from '@nestjs/common';
import { MemberAuthGuard, MemberOrOperatorGuard } from './member-auth.guard';
import { MemberTokenService } from './member-token.service';
import { MemberTokensController } from './member-tokens.controller';

const exported = [MemberTokenService, MemberOrOperatorGuard, MemberAuthGuard];

/** Member tokens and their guards, for libs with member-facing routes (draws, live RSVP). */
@Module({ providers: exported, exports: exported })
export class MemberTokensModule {}

/** POST /v1/members/:id/tokens and GET /v1/member-session. */
@Module({ imports: [MemberTokensModule], controllers: [MemberTokensController] })
export class MemberTokensHttpModule {}
