import { Injectable } from '@nestjs/common';

/**
 * Extension point for the segments lib: turns an audience reference (a segment id) into SQL that
 * selects the audience's member ids. Members uses it for bulk tagging; campaigns will too.
 *
 * `resolve` appends its bind values to `params` and refers to them as `$${params.length}`, so the
 * fragment can be embedded in a larger parameterised statement. The fragment must be a complete
 * `SELECT` whose only column is `member_id`, restricted to `brandId`.
 */
export interface AudienceResolver {
  /** The audience kind it answers for, e.g. `segment`. */
  readonly kind: string;
  resolve(brandId: string, ref: string, params: unknown[]): Promise<string>;
}

/** Where resolvers register (the segments lib calls `register` from its module's onModuleInit). */
@Injectable()
export class AudienceRegistry {
  private readonly resolvers = new Map<string, AudienceResolver>();

  register(resolver: AudienceResolver): void {
    this.resolvers.set(resolver.kind, resolver);
  }

  get(kind: string): AudienceResolver | undefined {
    return this.resolvers.get(kind);
  }
}
