// Definitions store: the workflow definitions catalogue, one version's JSON, server-side validation, and the designer's
// versioning actions (draft, publish, diff, migrate running tickets).
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { http } from '../api/http';
import type { DefinitionChange, DefinitionSummary, DefinitionVersion, MigrationReport, ValidationResult } from '../api/generated';

export const useDefinitionsStore = defineStore('definitions', () => {
  const items = ref<DefinitionSummary[]>([]);
  const selected = ref<{ key: string; version: number; document: unknown } | null>(null);

  async function fetchDefinitions(): Promise<DefinitionSummary[]> {
    const page = await http.get('/definitions');
    items.value = page.items;
    return page.items;
  }

  async function fetchDefinition(key: string, version: number): Promise<unknown> {
    const document = await http.get('/definitions/{key}/versions/{version}', { path: { key, version } });
    selected.value = { key, version, document };
    return document;
  }

  async function validateDefinition(document: unknown): Promise<ValidationResult> {
    // Any JSON may be typed in; the API answers a non-object with a 400 the page shows.
    const result = await http.post('/definitions/validate', { body: document as Record<string, unknown> });
    return { valid: result.valid, errors: result.errors ?? [] };
  }

  async function fetchVersions(key: string): Promise<DefinitionVersion[]> {
    return (await http.get('/definitions/{key}/versions', { path: { key } })).items;
  }

  /** One version's document without its version/status envelope, ready to edit. */
  async function fetchDocument(key: string, version: number): Promise<Record<string, unknown>> {
    const { version: _v, status: _s, ...document } = await http.get('/definitions/{key}/versions/{version}', { path: { key, version } });
    return document;
  }

  function saveDraft(key: string, document: Record<string, unknown>): Promise<DefinitionVersion> {
    return http.put('/definitions/{key}/draft', { path: { key }, body: document });
  }

  function discardDraft(key: string): Promise<void> {
    return http.delete('/definitions/{key}/draft', { path: { key } });
  }

  function publishDraft(key: string): Promise<DefinitionVersion> {
    return http.post('/definitions/{key}/publish', { path: { key } });
  }

  async function diffVersions(key: string, from: number, to: number): Promise<DefinitionChange[]> {
    return (await http.get('/definitions/{key}/diff', { path: { key }, query: { from: String(from), to: String(to) } })).items;
  }

  function migrateTickets(key: string, fromVersion: number, toVersion: number, stateMapping: Record<string, string>): Promise<MigrationReport> {
    return http.post('/definitions/{key}/migrations', { path: { key }, body: { fromVersion, toVersion, stateMapping } });
  }

  function reset(): void {
    items.value = [];
    selected.value = null;
  }

  return {
    items,
    selected,
    fetchDefinitions,
    fetchDefinition,
    validateDefinition,
    fetchVersions,
    fetchDocument,
    saveDraft,
    discardDraft,
    publishDraft,
    diffVersions,
    migrateTickets,
    reset,
  };
});
