import { Module } from '@nestjs/common';
import { PartnerHooks } from './partner-hooks';

/** What every partners module shares (one hook registry per process). */
@Module({ providers: [PartnerHooks], exports: [PartnerHooks] })
export class PartnersCoreModule {}
