export * from './commerce-hooks';
export * from './commerce.constants';
export * from './commerce.module';
