export * from './callbacks/callback-xml';
export * from './callbacks/pkcs7';
export * from './callbacks/wecom-crypto';
export type { SimConfig } from './config/sim-config';
export * from './sim-app';
export * from './wecom-errors';
export * from './testing/sim-client';
