import { Module } from '@nestjs/common';
import { PartnerProgrammeController } from './partner-programme.controller';
import { PartnersController } from './partners/partners.controller';
import { PartnersModule } from './partners.module';

/** /v1/partners, /v1/partner-tiers, /v1/partner-uplifts, /v1/partner-commissions, /v1/partner-settlements. */
@Module({ imports: [PartnersModule], controllers: [PartnersController, PartnerProgrammeController] })
export class PartnersHttpModule {}
