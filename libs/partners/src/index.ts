export type { Partner } from './entities/partner.entity';
export type { PartnerCommission } from './entities/partner-commission.entity';
export * from './partners.constants';
