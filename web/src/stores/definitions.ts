// Definitions store: the workflow definitions catalogue, one version's JSON, and server-side validation.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';
import type { DefinitionSummary, ValidationResult } from '../api/types';

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

  function reset(): void {
    items.value = [];
    selected.value = null;
  }

  return { items, selected, fetchDefinitions, fetchDefinition, validateDefinition, reset };
});
