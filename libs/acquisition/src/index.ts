export * from './acquisition-core.module';
export * from './acquisition-states.registry';
