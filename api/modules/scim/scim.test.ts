import { compileFilter, parseFilter, type Column } from './filter';
import { applyPatch } from './patch';
import { PATCH_SCHEMA } from './users';
import { ENTERPRISE_USER } from './resource-schema';

const columns: Record<string, Column> = {
  username: { sql: 'u.email', type: 'string' },
  externalid: { sql: 'u.external_id', type: 'exactString' },
  active: { sql: '(not u.disabled)', type: 'boolean' },
  'emails.value': { sql: 'u.email', type: 'string' },
  'emails.type': { sql: `'work'`, type: 'string' },
  'meta.lastmodified': { sql: 'u.updated_at', type: 'dateTime' },
  'members.value': { sql: 'gm.user_id::text', type: 'exactString', exists: (c) => `exists (select 1 from gm where ${c})` },
};
const compile = (f: string) => compileFilter(parseFilter(f), (p) => columns[p]);

describe('SCIM filters', () => {
  it('should compile the filters identity providers send, with every value a parameter', () => {
    expect(compile('userName eq "Ana@Example.com"')).toEqual({ sql: 'lower(u.email) = lower(?)', params: ['Ana@Example.com'] });
    expect(compile('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "ana"')).toEqual({ sql: 'starts_with(lower(u.email), lower(?))', params: ['ana'] });
    expect(compile('externalId eq "x-1" and active eq true')).toEqual({ sql: '(u.external_id = ? and (not u.disabled) = ?)', params: ['x-1', true] });
    expect(compile('emails[type eq "work" and value co "@example.com"]').sql).toBe(`(lower('work') = lower(?) and strpos(lower(u.email), lower(?)) > 0)`);
    expect(compile('not (userName ew ".org") or externalId pr').params).toEqual(['.org', '.org']);
    expect(compile('meta.lastModified gt "2026-01-01T00:00:00Z"').sql).toBe('u.updated_at > ?::timestamptz');
    expect(compile('members[value eq "a"]').sql).toBe('exists (select 1 from gm where gm.user_id::text = ?)');
    expect(compile('USERNAME EQ "a" OR username Eq "b"').params).toEqual(['a', 'b']);
  });

  it('should refuse malformed filters and attributes it cannot filter on, as invalidFilter', () => {
    for (const bad of ['userName eq', 'userName eq ana', 'userName xx "a"', '(userName eq "a"', 'title eq "x"', 'active eq "yes"', 'active gt true', 'meta.lastModified co "2026"', 'userName eq "a" junk', 'not userName eq "a"', '"a" eq userName', 'userName eq "unterminated']) {
      let err: { status?: number; extensions?: { scimType?: string } } | undefined;
      try {
        compile(bad);
      } catch (e) {
        err = e as typeof err;
      }
      expect({ bad, status: err?.status, scimType: err?.extensions?.scimType }).toEqual({ bad, status: 400, scimType: 'invalidFilter' });
    }
  });
});

describe('SCIM PATCH', () => {
  const user = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: 'u1',
    userName: 'ana@example.com',
    name: { formatted: 'Ana Lima', givenName: 'Ana' },
    emails: [{ value: 'ana@example.com', type: 'work', primary: true }],
    active: true,
    roles: [{ value: 'customer', primary: true }],
  };

  it("should apply Entra's and Okta's operation shapes", () => {
    const out = applyPatch(
      user,
      [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'ana.lima@example.com' },
        { op: 'add', path: 'name.familyName', value: 'Lima' },
        { op: 'replace', value: { displayName: 'Ana L.', [ENTERPRISE_USER]: { organization: 'Acme' } } },
        { op: 'add', path: `${ENTERPRISE_USER}:organization`, value: 'Acme 2' },
        { op: 'remove', path: 'name.givenName' },
      ],
      PATCH_SCHEMA,
    );
    expect(out).toMatchObject({
      active: 'False',
      emails: [{ value: 'ana.lima@example.com', type: 'work', primary: true }],
      name: { formatted: 'Ana Lima', familyName: 'Lima' },
      displayName: 'Ana L.',
      [ENTERPRISE_USER]: { organization: 'Acme 2' },
    });
    expect((out.name as Record<string, unknown>).givenName).toBeUndefined();
    // The input is left as it was.
    expect(user.active).toBe(true);
  });

  it('should make the element a filter names when none matches, and remove members by value', () => {
    const out = applyPatch({ ...user, emails: [] }, [{ op: 'add', path: 'emails[type eq "work"].value', value: 'x@example.com' }], PATCH_SCHEMA);
    expect(out.emails).toEqual([{ type: 'work', value: 'x@example.com' }]);
    const group = { displayName: 'Net', members: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] };
    const schema = { schema: 'urn:ietf:params:scim:schemas:core:2.0:Group', attrs: [{ name: 'displayName', type: 'string' as const, description: '' }, { name: 'members', type: 'complex' as const, multiValued: true, description: '', subAttributes: [{ name: 'value', type: 'string' as const, description: '' }] }], extensions: {} };
    expect(applyPatch(group, [{ op: 'remove', path: 'members[value eq "b"]' }], schema).members).toEqual([{ value: 'a' }, { value: 'c' }]);
    expect(applyPatch(group, [{ op: 'remove', path: 'members', value: [{ value: 'a' }, { value: 'c' }] }], schema).members).toEqual([{ value: 'b' }]);
    expect(applyPatch(group, [{ op: 'add', path: 'members', value: [{ value: 'c' }, { value: 'd' }] }], schema).members).toEqual([{ value: 'a' }, { value: 'b' }, { value: 'c' }, { value: 'd' }]);
  });

  it('should refuse the whole request on an unknown path, a read-only one or a bad op, before applying any', () => {
    const cases: Array<[unknown[], string]> = [
      [[{ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'title', value: 'Boss' }], 'invalidPath'],
      [[{ op: 'replace', path: 'name.middleName', value: 'X' }], 'invalidPath'],
      [[{ op: 'replace', path: 'urn:example:other:attr', value: 'X' }], 'invalidPath'],
      [[{ op: 'replace', path: 'emails[type eq ].value', value: 'X' }], 'invalidPath'],
      [[{ op: 'replace', path: 'id', value: 'X' }], 'mutability'],
      [[{ op: 'move', path: 'active', value: false }], 'invalidSyntax'],
      [[{ op: 'remove' }], 'noTarget'],
      [[{ op: 'add', path: 'active' }], 'invalidValue'],
      [[{ op: 'replace', value: { nickName: 'A' } }], 'invalidPath'],
    ];
    for (const [ops, scimType] of cases) {
      let err: { status?: number; extensions?: { scimType?: string } } | undefined;
      try {
        applyPatch(user, ops as never, PATCH_SCHEMA);
      } catch (e) {
        err = e as typeof err;
      }
      expect({ ops, status: err?.status, scimType: err?.extensions?.scimType }).toEqual({ ops, status: 400, scimType });
    }
  });
});
