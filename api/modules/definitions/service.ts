// Chooses the definition a new ticket runs on and seeds the defaults; a short cache keeps ticket creation off the database.
import { DEFAULT_DEFINITIONS, diffDefinitions, validateDefinition, type DefinitionChange, type DefinitionValidation, type WorkflowDefinition } from '../../../workflow-definitions/index';
import { conflict, notFound, unprocessable } from '../../http/problem';
import type { DefinitionRepository, StoredDefinition } from './repository';

const CACHE_MS = 2000;

type Words = { en: string; fr: string };
export interface DefinitionLabels {
  states: Map<string, Words>;
  transitions: Map<string, Words>;
  fields: Map<string, Words>;
}

export class DefinitionService {
  private cache: { at: number; defs: StoredDefinition[] } | null = null;
  private readonly labelCache = new Map<string, DefinitionLabels>();

  /** `moreErrors`: checks the schema cannot make, from outside the definitions (what plug-ins' actions accept). */
  constructor(
    private readonly repo: DefinitionRepository,
    private readonly moreErrors: (def: WorkflowDefinition) => DefinitionValidation['errors'] = () => [],
  ) {}

  private check(input: unknown): DefinitionValidation {
    const result = validateDefinition(input);
    if (!result.valid) return result;
    const errors = this.moreErrors(result.definition);
    return errors.length ? { valid: false, errors } : result;
  }

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

  /** The latest published version of one definition. */
  async latest(key: string): Promise<StoredDefinition | undefined> {
    return (await this.published()).find((d) => d.key === key);
  }

  /** The latest published definition serving a ticket type. */
  async forType(type: string): Promise<StoredDefinition | undefined> {
    const listed = (await this.published()).find((d) => (d.body.types as readonly string[]).includes(type));
    if (listed) return listed;
    // A custom ticket type names the definition that runs it.
    const key = await this.repo.definitionOfCustomType(type);
    return key ? this.latest(key) : undefined;
  }

  find(key: string, version: number): Promise<StoredDefinition | null> {
    return this.repo.find(key, version);
  }

  validate(input: unknown): DefinitionValidation {
    return this.check(input);
  }

  /**
   * The words of one version (its states', transitions' and fields' labels by name), so no reader sees a key; published
   * versions never change, so theirs are cached for good.
   */
  async labels(key: string, version: number): Promise<DefinitionLabels> {
    const cacheKey = `${key}@${version}`;
    let labels = this.labelCache.get(cacheKey);
    if (!labels) {
      const def = await this.repo.find(key, version);
      const byName = (items: ReadonlyArray<{ name: string; label: Words }> | undefined) => new Map((items ?? []).map((x) => [x.name, x.label]));
      labels = { states: byName(def?.body.states), transitions: byName(def?.body.transitions), fields: byName(def?.body.fields) };
      if (def?.status === 'published') this.labelCache.set(cacheKey, labels);
    }
    return labels;
  }

  versions(key: string): Promise<StoredDefinition[]> {
    return this.repo.versions(key);
  }

  async get(key: string, version: number): Promise<StoredDefinition> {
    const found = Number.isInteger(version) ? await this.repo.find(key, version) : null;
    if (!found) throw notFound(`no version ${version} of definition '${key}'`);
    return found;
  }

  /** Saves the draft only when it is valid: a definition with an error never reaches a worker. */
  async saveDraft(key: string, body: unknown): Promise<StoredDefinition> {
    const result = this.check(body);
    if (!result.valid) throw unprocessable(`the definition has ${result.errors.length} error(s)`, result.errors, 'invalid-definition');
    if (result.definition.key !== key) throw unprocessable(`the body's key '${result.definition.key}' differs from '${key}'`, [{ pointer: '/key', message: `must be ${key}` }], 'invalid-definition');
    await this.assertTypesFree(result.definition);
    return this.repo.saveDraft(result.definition);
  }

  async publish(key: string): Promise<StoredDefinition> {
    const draft = await this.repo.draft(key);
    if (!draft) throw notFound(`definition '${key}' has no draft to publish`);
    const result = this.check(draft.body);
    if (!result.valid) throw unprocessable('the draft is invalid', result.errors, 'invalid-definition');
    const published = await this.repo.publishDraft(key);
    if (!published) throw conflict(`the draft of '${key}' was published or discarded meanwhile`);
    this.cache = null;
    return published;
  }

  async discardDraft(key: string): Promise<void> {
    if (!(await this.repo.discardDraft(key))) throw notFound(`definition '${key}' has no draft`);
  }

  async diff(key: string, from: number, to: number): Promise<DefinitionChange[]> {
    const [a, b] = await Promise.all([this.get(key, from), this.get(key, to)]);
    return diffDefinitions(a.body, b.body);
  }

  /** Two definitions serving one ticket type would make creation ambiguous. */
  private async assertTypesFree(def: WorkflowDefinition): Promise<void> {
    const clash = (await this.published()).find((d) => d.key !== def.key && (d.body.types as readonly string[]).some((t) => (def.types as readonly string[]).includes(t)));
    if (clash) {
      throw unprocessable(`type(s) already served by definition '${clash.key}'`, [{ pointer: '/types', message: `overlaps with ${clash.key}` }], 'invalid-definition');
    }
  }
}
