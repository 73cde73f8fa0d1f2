import { Module } from '@nestjs/common';
import { MemberTokensModule } from '@siyu/members';
import { DrawsController } from './draws.controller';
import { DrawsModule } from './draws.module';

/** The draw routes: /v1/draws (operators), entries / disclosure / verify also with member tokens. */
@Module({ imports: [DrawsModule, MemberTokensModule], controllers: [DrawsController] })
export class DrawsHttpModule {}
