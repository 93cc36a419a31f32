// Definitions store: the workflow definitions catalogue, one version's JSON, server-side validation, and the designer's
// versioning actions (draft, publish, diff, migrate running tickets).
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';
import type { DefinitionChange, DefinitionSummary, DefinitionVersion, MigrationReport, ValidationResult } from '../api/types';

export const useDefinitionsStore = defineStore('definitions', () => {
  const items = ref<DefinitionSummary[]>([]);
  const selected = ref<{ key: string; version: number; document: unknown } | null>(null);

  async function fetchDefinitions(): Promise<DefinitionSummary[]> {
    const page = await api.get<{ items: DefinitionSummary[] }>('/definitions');
    items.value = page.items;
    return page.items;
  }

  async function fetchDefinition(key: string, version: number): Promise<unknown> {
    const document = await api.get<unknown>(
      `/definitions/${encodeURIComponent(key)}/versions/${encodeURIComponent(String(version))}`,
    );
    selected.value = { key, version, document };
    return document;
  }

  async function validateDefinition(document: unknown): Promise<ValidationResult> {
    const result = await api.post<ValidationResult>('/definitions/validate', document);
    return { valid: result.valid, errors: result.errors ?? [] };
  }

  const path = (key: string) => `/definitions/${encodeURIComponent(key)}`;

  async function fetchVersions(key: string): Promise<DefinitionVersion[]> {
    return (await api.get<{ items: DefinitionVersion[] }>(`${path(key)}/versions`)).items;
  }

  /** One version's document without its version/status envelope, ready to edit. */
  async function fetchDocument(key: string, version: number): Promise<Record<string, unknown>> {
    const { version: _v, status: _s, ...document } = await api.get<Record<string, unknown>>(`${path(key)}/versions/${version}`);
    return document;
  }

  function saveDraft(key: string, document: unknown): Promise<DefinitionVersion> {
    return api.put<DefinitionVersion>(`${path(key)}/draft`, document);
  }

  function discardDraft(key: string): Promise<void> {
    return api.delete<void>(`${path(key)}/draft`);
  }

  function publishDraft(key: string): Promise<DefinitionVersion> {
    return api.post<DefinitionVersion>(`${path(key)}/publish`);
  }

  async function diffVersions(key: string, from: number, to: number): Promise<DefinitionChange[]> {
    return (await api.get<{ items: DefinitionChange[] }>(`${path(key)}/diff?from=${from}&to=${to}`)).items;
  }

  function migrateTickets(key: string, fromVersion: number, toVersion: number, stateMapping: Record<string, string>): Promise<MigrationReport> {
    return api.post<MigrationReport>(`${path(key)}/migrations`, { fromVersion, toVersion, stateMapping });
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
