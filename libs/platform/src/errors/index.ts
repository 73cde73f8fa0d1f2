export * from './domain.exception';
export * from './pg-errors';
export * from './problem';
export * from './problem.filter';
export * from './to-problem';
export * from './validation';
