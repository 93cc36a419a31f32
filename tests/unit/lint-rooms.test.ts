// The rooms rule (scripts/lint/rooms.mjs), run by the real ESLint with the project's config: an upward import between
// rooms and a value import of activities into workflow code fail `npm run lint`; the allowed directions pass.
import path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });

async function roomErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'guichet/rooms').map((m) => m.message);
}

it('should refuse an import from a room above, and workflow code taking values from activities', async () => {
  expect(await roomErrors('platform/db/example.ts', "import { ticketRoutes } from '../../api/modules/tickets/routes';\nexport const x = ticketRoutes;\n")).toEqual([
    "'platform' may not import from 'api': rooms import only from the rooms below them (workflow-definitions, workflows).",
  ]);
  expect(await roomErrors('activities/example.ts', "export { IamService } from '../api/modules/iam/service';\n")).toHaveLength(1);
  expect(await roomErrors('web/src/example.ts', "const m = import('../../activities/index');\nexport default m;\n")).toHaveLength(1);
  expect(await roomErrors('workflows/example.ts', "import { createActivities } from '../activities/index';\nexport const x = createActivities;\n")).toEqual([
    'workflow code may import only types from activities (use `import type`): activities do I/O, workflows must stay deterministic.',
  ]);
});

it('should let rooms import from below, and workflows take types from activities', async () => {
  expect(await roomErrors('api/example.ts', "import { openOrm } from '../platform/db/orm';\nexport const x = openOrm;\n")).toEqual([]);
  expect(await roomErrors('workflows/example.ts', "import type { Activities } from '../activities/index';\nexport type A = Activities;\n")).toEqual([]);
  expect(await roomErrors('tests/example.ts', "import { createApp } from '../api/app';\nexport const x = createApp;\n")).toEqual([]);
});

it("should let a first-party plug-in import the plug-in API's contract and nothing else of the desk", async () => {
  expect(await roomErrors('plugins/example/index.ts', "import { definePlugin } from '../../platform/plugins/v1';\nexport default definePlugin({ register() {} });\n")).toEqual([]);
  expect(await roomErrors('plugins/example/index.ts', "import { pluginDirectory } from '../../platform/plugins/directory';\nexport const x = pluginDirectory;\n")).toEqual([
    "a plug-in imports only the plug-in API's contract (platform/plugins/v1), never the desk's own modules.",
  ]);
  expect(await roomErrors('plugins/example/index.ts', "import { createApp } from '../../api/app';\nexport const x = createApp;\n")).toHaveLength(1);
});
