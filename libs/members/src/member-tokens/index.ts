export * from './member-auth.guard';
export * from './member-principal';
export * from './member-token.service';
export * from './member-tokens.errors';
export * from './member-tokens.module';
