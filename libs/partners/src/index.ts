export type { Partner } from './entities/partner.entity';
export type { PartnerCommission } from './entities/partner-commission.entity';
export * from './partners.constants';
export * from './partner-hooks';
export * from './partners-core.module';
