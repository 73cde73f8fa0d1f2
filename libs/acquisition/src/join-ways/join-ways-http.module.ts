import { Module } from '@nestjs/common';
import { JoinWaysController } from './join-ways.controller';
import { JoinWaysModule } from './join-ways.module';

/** /v1/acquisition/join-ways */
@Module({ imports: [JoinWaysModule], controllers: [JoinWaysController] })
export class JoinWaysHttpModule {}
