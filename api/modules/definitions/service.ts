// Chooses the definition a new ticket runs on and seeds the defaults; a short cache keeps ticket creation off the database.
import { DEFAULT_DEFINITIONS, validateDefinition, type DefinitionValidation } from '../../../workflow-definitions/index';
import type { DefinitionRepository, StoredDefinition } from './repository';

const CACHE_MS = 2000;

export class DefinitionService {
  private cache: { at: number; defs: StoredDefinition[] } | null = null;

  constructor(private readonly repo: DefinitionRepository) {}

  async seedDefaults(): Promise<string[]> {
    const seeded: string[] = [];
    for (const def of DEFAULT_DEFINITIONS) {
      const check = validateDefinition(def);
      if (!check.valid) throw new Error(`default definition ${def.key} is invalid: ${JSON.stringify(check.errors)}`);
      if (await this.repo.seed(def)) seeded.push(def.key);
    }
    this.cache = null;
    return seeded;
  }

  async published(): Promise<StoredDefinition[]> {
    if (!this.cache || Date.now() - this.cache.at > CACHE_MS) this.cache = { at: Date.now(), defs: await this.repo.latestPublished() };
    return this.cache.defs;
  }

  /** The latest published definition serving a ticket type. */
  async forType(type: string): Promise<StoredDefinition | undefined> {
    return (await this.published()).find((d) => (d.body.types as readonly string[]).includes(type));
  }

  find(key: string, version: number): Promise<StoredDefinition | null> {
    return this.repo.find(key, version);
  }

  validate(input: unknown): DefinitionValidation {
    return validateDefinition(input);
  }
}
