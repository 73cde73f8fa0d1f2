import { BrandsService, DomainException } from '@siyu/platform';
import { Command, CommandRunner, Option } from 'nest-commander';

interface Options {
  name: string;
  ownerEmail: string;
  password: string;
  timeZone?: string;
  currency?: string;
}

/** `npm run cli -- brand:create --name … --owner-email … --password …`: the first brand and owner. */
@Command({ name: 'brand:create', description: 'Create a brand (tenant) and its first owner' })
export class BrandCreateCommand extends CommandRunner {
  constructor(private readonly brands: BrandsService) {
    super();
  }

  async run(_: string[], o: Options): Promise<void> {
    if (!o.name || !o.ownerEmail || !o.password) {
      throw new Error('brand:create needs --name, --owner-email and --password');
    }
    try {
      const { brand, owner } = await this.brands.createWithOwner({
        name: o.name,
        ownerEmail: o.ownerEmail,
        password: o.password,
        timeZone: o.timeZone,
        currency: o.currency,
      });
      console.log(JSON.stringify({ brandId: brand.id, ownerId: owner.id, ownerEmail: owner.email }));
    } catch (err) {
      if (err instanceof DomainException) {
        const fields = err.errors?.map((e) => `  ${e.field}: ${e.message}`).join('\n');
        throw new Error(`${err.message}${fields ? `\n${fields}` : ''}`);
      }
      throw err;
    }
  }

  @Option({ flags: '--name <name>', description: 'brand name', required: true })
  parseName(v: string): string {
    return v;
  }

  @Option({ flags: '--owner-email <email>', description: "the owner's login email", required: true })
  parseEmail(v: string): string {
    return v;
  }

  @Option({
    flags: '--password <password>',
    description: "the owner's password (at least 10 characters)",
    required: true,
  })
  parsePassword(v: string): string {
    return v;
  }

  @Option({ flags: '--time-zone <zone>', description: 'IANA time zone (default Asia/Shanghai)' })
  parseTimeZone(v: string): string {
    return v;
  }

  @Option({ flags: '--currency <code>', description: 'ISO 4217 currency (default CNY)' })
  parseCurrency(v: string): string {
    return v;
  }
}
