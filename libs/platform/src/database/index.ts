export * from './after-commit';
export * from './data-source-options';
export * from './database.module';
export * from './ensure-database';
export * from './migrator';
export * from './snake-naming.strategy';
export * from './time-ordered-uuid';
