import { Module } from '@nestjs/common';
import { MemberTokensModule } from '@siyu/members';
import { LiveController } from './live.controller';
import { LiveModule } from './live.module';

/** The live routes: /v1/live-sessions (operators), RSVP also with member tokens; /v1/live-settings. */
@Module({ imports: [LiveModule, MemberTokensModule], controllers: [LiveController] })
export class LiveHttpModule {}
