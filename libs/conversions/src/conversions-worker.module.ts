import { Module } from '@nestjs/common';
import { ClickDrainer } from './click-drainer.service';
import { ConversionsModule } from './conversions.module';

/** The worker's part: the click drainer (Redis stream → link_clicks in batches). */
@Module({ imports: [ConversionsModule], providers: [ClickDrainer], exports: [ClickDrainer] })
export class ConversionsWorkerModule {}
