export * from './tiers.constants';
export * from './tiers.module';
